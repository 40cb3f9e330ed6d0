package raft;

/**
 * Tunables of one Raft peer, in ticks and counts (never wall time: the caller decides how long a
 * tick is). {@link #validate()} rejects nonsense at start instead of misbehaving later.
 *
 * @param electionTicks base election timeout; each peer waits a random [n, 2n) ticks
 * @param heartbeatTicks leader heartbeat interval; must be well below electionTicks
 * @param maxBytesPerAppend upper bound on entry bytes in one AppendEntries (at least one entry is sent)
 * @param maxInflightAppends AppendEntries a leader pipelines to one follower before waiting for acks
 * @param maxCommandBytes largest command accepted by propose
 */
public record RaftConfig(
    int electionTicks,
    int heartbeatTicks,
    long maxBytesPerAppend,
    int maxInflightAppends,
    int maxCommandBytes) {

  public static final int DEFAULT_MAX_COMMAND_BYTES = 1 << 20;

  public static RaftConfig defaults() {
    return new RaftConfig(10, 1, 1 << 20, 256, DEFAULT_MAX_COMMAND_BYTES);
  }

  public RaftConfig withElectionTicks(int ticks) {
    return new RaftConfig(ticks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes);
  }

  public RaftConfig withHeartbeatTicks(int ticks) {
    return new RaftConfig(electionTicks, ticks, maxBytesPerAppend, maxInflightAppends, maxCommandBytes);
  }

  public RaftConfig withMaxBytesPerAppend(long bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, bytes, maxInflightAppends, maxCommandBytes);
  }

  public RaftConfig withMaxInflightAppends(int n) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, n, maxCommandBytes);
  }

  public RaftConfig withMaxCommandBytes(int bytes) {
    return new RaftConfig(electionTicks, heartbeatTicks, maxBytesPerAppend, maxInflightAppends, bytes);
  }

  /** Returns this config, or throws {@link IllegalArgumentException} naming the bad setting. */
  public RaftConfig validate() {
    if (heartbeatTicks < 1) throw new IllegalArgumentException("heartbeatTicks must be >= 1, was " + heartbeatTicks);
    if (electionTicks <= heartbeatTicks)
      throw new IllegalArgumentException(
          "electionTicks (" + electionTicks + ") must be greater than heartbeatTicks (" + heartbeatTicks + ")");
    if (maxBytesPerAppend < 1) throw new IllegalArgumentException("maxBytesPerAppend must be >= 1");
    if (maxInflightAppends < 1) throw new IllegalArgumentException("maxInflightAppends must be >= 1");
    if (maxCommandBytes < 1) throw new IllegalArgumentException("maxCommandBytes must be >= 1");
    return this;
  }
}
