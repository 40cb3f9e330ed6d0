package raft.rsm;

import kvraft.KvCommand;
import kvraft.KvReply;
import testkit.ForwardingKvStore;

/** A KV state machine whose apply throws on the key "boom", as a buggy service would. */
final class ThrowingKv extends ForwardingKvStore {
  @Override
  public KvReply apply(KvCommand c) {
    if (c.key().equals("boom")) throw new IllegalStateException("planted failure");
    return store.apply(c);
  }
}
