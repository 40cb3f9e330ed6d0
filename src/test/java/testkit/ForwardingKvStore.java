package testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvStore;
import raft.rsm.StateMachine;

/** A {@link KvStore} behind the state machine interface, for tests that change one of its methods. */
public class ForwardingKvStore implements StateMachine<KvCommand, KvReply> {
  protected final KvStore store = new KvStore();

  @Override
  public KvReply apply(KvCommand c) {
    return store.apply(c);
  }

  @Override
  public boolean isReadOnly(KvCommand c) {
    return store.isReadOnly(c);
  }

  @Override
  public void writeSnapshot(OutputStream out) throws IOException {
    store.writeSnapshot(out);
  }

  @Override
  public void restore(InputStream in) {
    store.restore(in);
  }
}
