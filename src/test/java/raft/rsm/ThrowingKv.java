package raft.rsm;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvStore;

/** A KV state machine whose apply throws on the key "boom", as a buggy service would. */
final class ThrowingKv implements StateMachine<KvCommand, KvReply> {
  private final KvStore store = new KvStore();

  @Override
  public KvReply apply(KvCommand c) {
    if (c.key().equals("boom")) throw new IllegalStateException("planted failure");
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
