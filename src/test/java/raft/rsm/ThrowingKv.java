package raft.rsm;

import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvStore;
import wire.Bytes;

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
  public Bytes snapshot() {
    return store.snapshot();
  }

  @Override
  public void restore(Bytes snapshot) {
    store.restore(snapshot);
  }
}
