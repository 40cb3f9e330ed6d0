package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.io.File;
import org.junit.jupiter.api.Test;
import raft.RaftConfig;
import raft.peer.PeerSettings;

class NodeSettingsTest {
  @Test
  void referenceConfMatchesTheCodeDefaults() {
    var config = ConfigFactory.defaultReference();
    assertEquals(RaftConfig.defaults(), NodeSettings.raftConfig(config));
    assertEquals(PeerSettings.defaults(), NodeSettings.peerSettings(config));
  }

  @Test
  void sampleConfFileLoads() {
    var config = NodeSettings.load(new File("conf/local.conf"));
    assertEquals(42, NodeSettings.peerSettings(config).seed());
    assertEquals(10, NodeSettings.raftConfig(config).electionTicks());
  }

  @Test
  void leaseReadsWithoutAClockDriftBoundAreRefusedAtStartNotDowngraded() {
    var noBound = ConfigFactory.parseString("raftkv.raft.read-lease.enabled = on")
        .withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(RaftConfig.ReadLeaseRefused.class, () -> NodeSettings.raftConfig(noBound));
    assertTrue(e.getMessage().contains("read-lease") && e.getMessage().contains("clock-drift bound"), e.getMessage());
    var noCheckQuorum = ConfigFactory.parseString(
        "raftkv.raft { check-quorum = off, read-lease { enabled = on, max-clock-drift = 0.1 } }")
        .withFallback(ConfigFactory.defaultReference());
    assertThrows(RaftConfig.ReadLeaseRefused.class, () -> NodeSettings.raftConfig(noCheckQuorum));
    var on = ConfigFactory.parseString("raftkv.raft.read-lease { enabled = on, max-clock-drift = 0.1 }")
        .withFallback(ConfigFactory.defaultReference());
    assertEquals(RaftConfig.ReadLease.withMaxClockDrift(0.1), NodeSettings.raftConfig(on).readLease());
    assertEquals(8, NodeSettings.raftConfig(on).readLease().leaseTicks(10));
  }

  @Test
  void badSettingsFailAtStartNamingTheProblem() {
    var config = ConfigFactory.parseString("raftkv.raft { election-ticks = 1, heartbeat-ticks = 1 }")
        .withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.raftConfig(config));
    assertTrue(e.getMessage().contains("electionTicks"), e.getMessage());
    var missing = assertThrows(IllegalArgumentException.class, () -> NodeSettings.load(new File("conf/nope.conf")));
    assertTrue(missing.getMessage().contains("nope.conf"), missing.getMessage());
  }

  @Test
  void aSnapshotChunkThatCannotFitInAnArteryFrameFailsAtStart() {
    var config = ConfigFactory.parseString("raftkv.raft.snapshot-chunk-size = 2 MiB")
        .withFallback(ConfigFactory.defaultReference());
    var e = assertThrows(IllegalArgumentException.class, () -> NodeSettings.peerSettings(config));
    assertTrue(e.getMessage().contains("snapshot-chunk-size") && e.getMessage().contains("maximum-frame-size"),
        e.getMessage());
    var tooSmall = ConfigFactory.parseString("raftkv.raft.snapshot-chunks-in-flight = 0")
        .withFallback(ConfigFactory.defaultReference());
    var f = assertThrows(IllegalArgumentException.class, () -> NodeSettings.peerSettings(tooSmall));
    assertTrue(f.getMessage().contains("snapshotChunksInFlight"), f.getMessage());
  }
}
