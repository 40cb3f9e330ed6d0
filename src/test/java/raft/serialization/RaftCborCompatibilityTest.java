package raft.serialization;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializer;
import akka.serialization.Serializers;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.MembershipRefusal;
import raft.core.ProposeResult;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.core.TransferResult;
import raft.message.AppendEntries;
import raft.message.AppendEntriesResponse;
import raft.message.HardState;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.InstallSnapshot;
import raft.message.InstallSnapshotResponse;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.PreVote;
import raft.message.PreVoteResponse;
import raft.message.ReadIndexRequest;
import raft.message.ReadIndexResponse;
import raft.message.RequestVote;
import raft.message.RequestVoteResponse;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import raft.message.TimeoutNow;
import raft.peer.Applied;
import raft.peer.RaftPeer;
import raft.peer.ReadIndexReply;
import raft.peer.SnapshotStream;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import wire.Bytes;

/**
 * Journals and peers of an older build must read what this build writes, and the other way round:
 * one representative value of every Raft message, journal event and reply goes through Akka's own
 * serialization (jackson-cbor, as bound in reference.conf) and must give exactly the bytes, serializer
 * and manifest recorded in {@code wire/raft-cbor-v2.txt}, and read back equal from those bytes.
 *
 * <p>The golden file was written by the build before the Jackson annotations moved to
 * {@link RaftJacksonModule}. To record a deliberate new format, write a new version
 * ({@code -Draft.cbor.write=src/test/resources/wire/raft-cbor-v3.txt}) and point this test at it.
 * v2 only added types (the read index messages, heartbeats carrying a read round): every v1 line
 * is in it unchanged ({@link #theFirstFormatIsUnchanged}).
 */
class RaftCborCompatibilityTest {
  private static final String GOLDEN = "/wire/raft-cbor-v2.txt";
  private static final String GOLDEN_V1 = "/wire/raft-cbor-v1.txt";
  private static final PeerId P1 = PeerId.of("p1");
  private static final PeerId P2 = PeerId.of("p2");
  private static final PeerId P3 = PeerId.of("p3");
  private static final PeerId P4 = PeerId.of("p4");

  private static ActorTestKit testKit;
  private static Serialization serialization;

  @BeforeAll
  static void start() {
    testKit = ActorTestKit.create("RaftCborCompatibilityTest");
    serialization = SerializationExtension.get(testKit.system().classicSystem());
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  /** One sample per type (two where a field takes a different shape: an empty Optional, a joint membership). */
  static Map<String, Object> samples() {
    Membership members = new Membership(List.of(P1, P2, P3), List.of(P4), List.of());
    Membership joint = new Membership(List.of(P1, P2), List.of(), List.of(P1, P3));
    LogEntry command = new LogEntry(5, 2, Bytes.utf8("put k v"));
    LogEntry noop = LogEntry.noop(6, 3);
    LogEntry confChange = LogEntry.confChange(7, 3, joint);
    SnapshotMeta meta = new SnapshotMeta(9, 2, members);
    Snapshot snapshot = new Snapshot(meta, Bytes.utf8("image"));
    HardState hardState = new HardState(3, Optional.of(P2), 7);
    AppendEntries append = new AppendEntries(3, P1, P2, 4, 2, List.of(command, noop, confChange), 3);

    Map<String, Object> s = new LinkedHashMap<>();
    s.put("RequestVote", new RequestVote(3, P1, P2, 7, 2, true));
    s.put("RequestVoteResponse", new RequestVoteResponse(3, P2, P1, true, 5, 2));
    s.put("AppendEntries", append);
    s.put("AppendEntriesResponse.accepted", AppendEntriesResponse.accepted(3, P2, P1, 7));
    s.put("AppendEntriesResponse.rejected", AppendEntriesResponse.rejected(3, P2, P1, 4, 1, 2));
    s.put("Heartbeat", new Heartbeat(3, P1, P2, 5));
    s.put("HeartbeatResponse", new HeartbeatResponse(3, P2, P1));
    s.put("InstallSnapshot", new InstallSnapshot(3, P1, P2, snapshot));
    s.put("InstallSnapshotResponse", new InstallSnapshotResponse(3, P2, P1, 9));
    s.put("PreVote", new PreVote(4, P1, P2, 7, 2));
    s.put("PreVoteResponse", new PreVoteResponse(4, P2, P1, false, 5, 2));
    s.put("TimeoutNow", new TimeoutNow(3, P1, P2));
    s.put("Heartbeat.readRound", new Heartbeat(3, P1, P2, 5, 4));
    s.put("HeartbeatResponse.readRound", new HeartbeatResponse(3, P2, P1, 4));
    s.put("ReadIndexRequest", new ReadIndexRequest(3, P2, P1, 12));
    s.put("ReadIndexResponse.granted", new ReadIndexResponse(3, P1, P2, 12, 7, true));
    s.put("ReadIndexResponse.refused", new ReadIndexResponse(3, P1, P2, 12, 0, false));

    s.put("LogEntry", command);
    s.put("LogEntry.confChange", confChange);
    s.put("HardState", hardState);
    s.put("HardState.initial", HardState.INITIAL);
    s.put("Membership", members);
    s.put("Membership.joint", joint);
    s.put("SnapshotMeta", meta);
    s.put("Snapshot", snapshot);
    s.put("MembershipChange.AddVoter", new MembershipChange.AddVoter(P4));
    s.put("MembershipChange.AddLearner", new MembershipChange.AddLearner(P4));
    s.put("MembershipChange.PromoteLearner", new MembershipChange.PromoteLearner(P4));
    s.put("MembershipChange.Remove", new MembershipChange.Remove(P3));

    s.put("RaftEvent.HardStateSaved", new RaftEvent.HardStateSaved(hardState));
    s.put("RaftEvent.EntriesAppended", RaftEvent.EntriesAppended.of(List.of(command, noop, confChange)));
    s.put("RaftEvent.SnapshotSaved", new RaftEvent.SnapshotSaved(meta, Bytes.utf8("image")));
    s.put("RaftEvent.SnapshotInstalled", new RaftEvent.SnapshotInstalled(meta, Bytes.utf8("image")));
    s.put("DurableState.Image", new DurableState.Image(hardState, snapshot,
        List.of(new LogEntry(10, 3, Bytes.utf8("a")), LogEntry.noop(11, 4))));

    s.put("ProposeResult.Accepted", new ProposeResult.Accepted(7, 3));
    s.put("ProposeResult.NotLeader", new ProposeResult.NotLeader(Optional.of(P2)));
    s.put("ProposeResult.NotLeader.unknown", new ProposeResult.NotLeader(Optional.empty()));
    s.put("ProposeResult.TooLarge", new ProposeResult.TooLarge(10, 4));
    s.put("ProposeResult.Busy", new ProposeResult.Busy(512));
    s.put("ProposeResult.TransferInProgress", new ProposeResult.TransferInProgress(P3));
    s.put("ProposeResult.MembershipRefused",
        new ProposeResult.MembershipRefused(MembershipRefusal.LAST_VOTER, Optional.of(P1)));
    s.put("TransferResult.Started", new TransferResult.Started(P2));
    s.put("TransferResult.NotLeader", new TransferResult.NotLeader(Optional.empty()));
    s.put("TransferResult.Refused", new TransferResult.Refused(TransferResult.Reason.LEARNER, Optional.of(P4)));
    s.put("RaftStatus", new RaftStatus(P1, RaftRole.LEADER, 3, Optional.of(P1), 7, 6, 1, 8));
    s.put("RaftStatus.noLeader", new RaftStatus(P2, RaftRole.CANDIDATE, 4, Optional.empty(), 7, 6, 1, 8));

    s.put("Applied.Committed", new Applied.Committed(List.of(command, noop)));
    // Applied.SnapshotInstalled holds an open snapshot file: it never leaves the JVM (NoSerializationVerificationNeeded).
    s.put("Applied.RoleChanged", new Applied.RoleChanged(3, RaftRole.LEADER, Optional.of(P1)));
    s.put("SnapshotStream.Chunk", new SnapshotStream.Chunk(1, 3, P1, P2, 0x1234abcdL, meta, 5, 77, 0, 78,
        Bytes.utf8("image")));
    s.put("SnapshotStream.Ack", new SnapshotStream.Ack(0x1234abcdL, P2, P1, 5, SnapshotStream.Status.COMPLETE));
    s.put("RaftPeer.Deliver", new RaftPeer.Deliver(append));
    s.put("RaftPeer.TakeSnapshot", new RaftPeer.TakeSnapshot(9, Bytes.utf8("image")));
    s.put("ReadIndexReply.Confirmed", new ReadIndexReply.Confirmed(7));
    s.put("ReadIndexReply.NotLeader", new ReadIndexReply.NotLeader(Optional.of(P1)));
    return s;
  }

  /** {@code serializerId manifest hex} of one value, as Akka writes it. */
  private static String encode(Object value) {
    Serializer serializer = serialization.findSerializerFor(value);
    String manifest = Serializers.manifestFor(serializer, value);
    byte[] bytes = serialization.serialize(value).get();
    return serializer.identifier() + " " + manifest + " " + HexFormat.of().formatHex(bytes);
  }

  private static Map<String, String> golden() throws IOException {
    return golden(GOLDEN);
  }

  private static Map<String, String> golden(String resource) throws IOException {
    Map<String, String> golden = new TreeMap<>();
    try (var in = RaftCborCompatibilityTest.class.getResourceAsStream(resource)) {
      assertTrue(in != null, resource + " on the test classpath");
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.isBlank() || line.startsWith("#")) continue;
        int space = line.indexOf(' ');
        golden.put(line.substring(0, space), line.substring(space + 1));
      }
    }
    return golden;
  }

  @Test
  void everyTypeWritesTheRecordedBytes() throws IOException {
    Map<String, Object> samples = samples();
    String write = System.getProperty("raft.cbor.write");
    if (write != null) record(Path.of(write), samples);
    Map<String, String> golden = golden();
    assertEquals(new TreeMap<>(samples).keySet(), golden.keySet(), "one golden line per sample");
    for (var e : samples.entrySet()) {
      assertEquals(golden.get(e.getKey()), encode(e.getValue()), e.getKey() + ": bytes, serializer or manifest changed");
    }
  }

  /** Adding types must not change how the existing ones are written: an older peer would not read them. */
  @Test
  void theFirstFormatIsUnchanged() throws IOException {
    Map<String, String> v2 = golden();
    Map<String, String> v1 = golden(GOLDEN_V1);
    assertTrue(v1.size() > 40 && v2.keySet().containsAll(v1.keySet()), "v2 holds every v1 sample");
    for (var e : v1.entrySet()) assertEquals(e.getValue(), v2.get(e.getKey()), e.getKey() + ": changed since v1");
  }

  @Test
  void everyRecordedValueReadsBackEqual() throws Exception {
    Map<String, Object> samples = samples();
    for (var e : golden().entrySet()) {
      String[] parts = e.getValue().split(" ");
      Object read = serialization.deserialize(HexFormat.of().parseHex(parts[2]), Integer.parseInt(parts[0]), parts[1]).get();
      assertEquals(samples.get(e.getKey()), read, e.getKey());
    }
  }

  private static void record(Path file, Map<String, Object> samples) throws IOException {
    StringBuilder out = new StringBuilder("# name serializerId manifest cbor-hex (RaftCborCompatibilityTest)\n");
    new TreeMap<>(samples).forEach((name, value) -> out.append(name).append(' ').append(encode(value)).append('\n'));
    Files.createDirectories(file.toAbsolutePath().getParent());
    Files.writeString(file, out.toString());
  }
}
