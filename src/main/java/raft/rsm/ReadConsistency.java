package raft.rsm;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How fresh a read must be. */
public enum ReadConsistency {
  /**
   * The default: the read sees every write acknowledged before it was asked for. Served by any
   * replica without a log entry, once the leader confirmed a read index by a heartbeat round (ReadIndex).
   */
  LINEARIZABLE,
  /**
   * Linearizable too, but the leader serves it from its lease (no heartbeat round while the lease
   * holds), which is safe only while the peers' clocks drift apart by less than the configured bound
   * ({@code raftkv.raft.read-lease.max-clock-drift}); refused on a node without lease reads configured.
   */
  LEASE,
  /** The replica's local state, as applied so far: any replica, no round trip, possibly stale. Only when asked for. */
  SERIALIZABLE;

  /** The level named {@code name} (any case), if it is one. */
  public static Optional<ReadConsistency> parse(String name) {
    return Arrays.stream(values()).filter(c -> c.wireName().equals(name.toLowerCase(Locale.ROOT))).findFirst();
  }

  /** The name in a URL parameter or an error message: {@code linearizable}, {@code serializable}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** Every level's wire name, for an error that must say which are allowed. */
  public static List<String> allowed() {
    return Arrays.stream(values()).map(ReadConsistency::wireName).toList();
  }
}
