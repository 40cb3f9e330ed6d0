package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.List;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.RaftConfig;
import raft.message.Membership;

/** The raftkv.raft protocol switches and the joining-node settings (raftkv.node.join, initial-voters). */
class MembershipSettingsTest {
  private static final List<PeerId> P123 = List.of(PeerId.of("p1"), PeerId.of("p2"), PeerId.of("p3"));

  @Test
  void preVoteCheckQuorumAndTheElectionNoopAreRead() {
    RaftConfig defaults = NodeSettings.raftConfig(ConfigFactory.defaultReference());
    assertTrue(defaults.preVote() && defaults.checkQuorum() && defaults.noopOnElection());
    assertEquals(RaftConfig.DEFAULT_LEARNER_CATCH_UP_ENTRIES, defaults.learnerCatchUpEntries());
    RaftConfig off = NodeSettings.raftConfig(ConfigFactory.parseString(
        "raftkv.raft { pre-vote = off, check-quorum = off, noop-on-election = off, learner-catch-up-entries = 7 }")
        .withFallback(ConfigFactory.defaultReference()));
    assertFalse(off.preVote());
    assertFalse(off.checkQuorum());
    assertFalse(off.noopOnElection());
    assertEquals(7, off.learnerCatchUpEntries());
    var bad = ConfigFactory.parseString("raftkv.raft.pre-vote = maybe").withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.raftConfig(bad));
    assertTrue(e.getMessage().contains("pre-vote"), e.getMessage());
  }

  @Test
  void nodeFourJoinsTheThreeOthersBootstrap() {
    for (int i = 1; i <= 3; i++) {
      NodeSpec spec = NodeSettings.nodeSpec(NodeSettings.load(new File("conf/node-" + i + ".conf"), KvNode.NODE_LAYER));
      assertFalse(spec.join());
      assertEquals(Membership.ofVoters(P123), spec.bootstrap());
    }
    NodeSpec four = NodeSettings.nodeSpec(NodeSettings.load(new File("conf/node-4.conf"), KvNode.NODE_LAYER));
    assertTrue(four.join());
    assertEquals(List.of(PeerId.of("p4")), four.hosted());
    assertFalse(four.bootstrap().contains(PeerId.of("p4")), "a joining node is no member of its bootstrap");
  }

  @Test
  void aNodeOutsideTheInitialVotersMustSayItJoins() {
    var config = ConfigFactory.parseString("""
        raftkv.node { id = p4, peers.p4 = "127.0.0.1:25524", initial-voters = [p1, p2, p3] }
        """).withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.nodeSpec(config));
    assertTrue(e.getMessage().contains("raftkv.node.join"), e.getMessage());
    var unknown = ConfigFactory.parseString("raftkv.node.initial-voters = [p1, p9]").withFallback(ConfigFactory.defaultReference());
    e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.nodeSpec(unknown));
    assertTrue(e.getMessage().contains("p9"), e.getMessage());
  }
}
