package shardkv;

/**
 * Where one shard stands in one group (design §3.3). Only {@link #SERVING} and {@link #GCING}
 * shards answer clients; every other state answers {@code WrongGroup}.
 */
public enum ShardStatus {
  /** Not this group's shard in the current configuration (nothing kept). */
  ABSENT,
  /** Owned and held: served. */
  SERVING,
  /** Owned since the current configuration, still being pulled from its previous owner: not served yet. */
  PULLING,
  /** Given away in the current configuration: kept, frozen, for the new owner to pull; not served. */
  BEPULLED,
  /** Received in full and served; the previous owner has not yet confirmed it deleted its copy. */
  GCING;

  public boolean serves() {
    return this == SERVING || this == GCING;
  }
}
