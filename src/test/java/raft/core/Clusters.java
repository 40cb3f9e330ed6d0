package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static testkit.sim.RaftSim.p;

import java.util.Optional;
import raft.RaftConfig;
import raft.message.Membership;
import testkit.sim.RaftSim;

/** Small deterministic clusters for the topic tests of the core (pre-vote, transfer, membership, ...). */
final class Clusters {
  private Clusters() {}

  /** n voters p1..pn, p1 elected. */
  static RaftSim elected(int n, RaftConfig cfg, long seed) {
    RaftSim sim = new RaftSim(n, cfg, seed, RaftLogger.SILENT);
    sim.campaign(p(1));
    assertEquals(Optional.of(p(1)), sim.leader());
    settle(sim, cfg);
    return sim;
  }

  /** A group bootstrapped with {@code m}, p1 (a voter) elected. */
  static RaftSim elected(Membership m, RaftConfig cfg, long seed) {
    RaftSim sim = new RaftSim(m, cfg, seed, RaftLogger.SILENT);
    sim.campaign(p(1));
    assertEquals(Optional.of(p(1)), sim.leader());
    settle(sim, cfg);
    return sim;
  }

  /** A few heartbeat rounds with everything delivered: commit indexes and applies settle. */
  static void settle(RaftSim sim, RaftConfig cfg) {
    sim.stabilize();
    for (int i = 0; i < 3; i++) {
      sim.tickAll(cfg.heartbeatTicks());
      sim.stabilize();
    }
  }
}
