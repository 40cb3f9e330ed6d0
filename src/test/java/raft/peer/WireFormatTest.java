package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.serialization.Serialization;
import akka.serialization.SerializationExtension;
import akka.serialization.Serializers;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import raft.core.ProposeResult;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.message.AppendEntries;
import raft.message.HardState;
import raft.message.InstallSnapshot;
import raft.message.LogEntry;
import raft.message.RequestVote;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import raft.persistence.DurableState;
import raft.persistence.RaftEvent;
import wire.Bytes;

/** Everything a peer sends or writes survives Akka's jackson-cbor serializer unchanged. */
class WireFormatTest {
  private static ActorTestKit kit;
  private static Serialization serialization;

  @BeforeAll
  static void setUp() {
    kit = ActorTestKit.create();
    serialization = SerializationExtension.get(kit.system().classicSystem());
  }

  @AfterAll
  static void tearDown() {
    kit.shutdownTestKit();
  }

  private static Object roundTrip(Object o) {
    byte[] bytes = serialization.serialize(o).get();
    akka.serialization.Serializer s = serialization.findSerializerFor(o);
    return serialization.deserialize(bytes, s.identifier(), Serializers.manifestFor(s, o)).get();
  }

  private static void assertRoundTrip(Object o) {
    assertEquals(o, roundTrip(o), () -> "round trip of " + o);
  }

  @Test
  void idsAndBytesAreWrittenAsPlainValues() {
    PeerId p = PeerId.of("p1");
    LogEntry e = new LogEntry(3, 2, Bytes.utf8("x"));
    assertRoundTrip(new RaftPeer.Deliver(new AppendEntries(2, p, PeerId.of("p2"), 2, 1, List.of(e), 1)));
    assertRoundTrip(new RaftPeer.Deliver(new RequestVote(4, p, PeerId.of("p3"), 7, 3)));
    assertRoundTrip(new RaftPeer.Deliver(new InstallSnapshot(4, p, PeerId.of("p3"),
        new Snapshot(new SnapshotMeta(9, 3), Bytes.utf8("image")))));
    assertRoundTrip(new RaftPeer.TakeSnapshot(9, Bytes.utf8("image")));
    assertEquals(GroupId.of("g1"), GroupId.of("g1"));
  }

  @Test
  void statusKeepsItsLeader() {
    assertRoundTrip(new RaftStatus(PeerId.of("p1"), RaftRole.FOLLOWER, 5, Optional.of(PeerId.of("p2")), 3, 3, 1, 4));
    assertRoundTrip(new RaftStatus(PeerId.of("p2"), RaftRole.LEADER, 5, Optional.of(PeerId.of("p2")), 3, 3, 1, 4));
    assertRoundTrip(new ProposeResult.NotLeader(Optional.of(PeerId.of("p2"))));
    assertRoundTrip(new ProposeResult.Busy(3));
  }

  @Test
  void eventsAndSnapshotImageRoundTrip() {
    LogEntry e = new LogEntry(1, 1, Bytes.utf8("x"));
    assertRoundTrip(new RaftEvent.HardStateSaved(new HardState(3, Optional.of(PeerId.of("p1")), 2)));
    assertRoundTrip(RaftEvent.EntriesAppended.of(List.of(e)));
    assertRoundTrip(new RaftEvent.SnapshotSaved(new SnapshotMeta(5, 2), Bytes.utf8("s")));
    assertRoundTrip(new RaftEvent.SnapshotInstalled(new SnapshotMeta(6, 2), Bytes.utf8("t")));
    assertRoundTrip(new Applied.Committed(List.of(e)));
    assertRoundTrip(new Applied.RoleChanged(4, raft.core.RaftRole.LEADER, Optional.of(PeerId.of("p2"))));
    assertRoundTrip(new Applied.RoleChanged(5, raft.core.RaftRole.FOLLOWER, Optional.empty()));
    DurableState state = new DurableState()
        .updated(new RaftEvent.HardStateSaved(new HardState(1, Optional.empty(), 1)))
        .updated(RaftEvent.EntriesAppended.of(List.of(e, new LogEntry(2, 1, Bytes.utf8("y")))));
    assertRoundTrip(state.image());
    assertEquals(state.image(), DurableState.fromImage(state.image()).image());
  }

  @Test
  void snapshotChunksCarryJustTheirSliceOfTheImage() {
    byte[] image = new byte[10_000];
    for (int i = 0; i < image.length; i++) image[i] = (byte) (i * 31);
    Bytes slice = Bytes.wrap(image).slice(4_000, 3_000);
    assertEquals(Bytes.of(java.util.Arrays.copyOfRange(image, 4_000, 7_000)), slice);
    SnapshotStream.Chunk chunk = new SnapshotStream.Chunk(SnapshotStream.FORMAT_VERSION, 3, PeerId.of("p1"),
        PeerId.of("p2"), 77L, new SnapshotMeta(9, 3), image.length, SnapshotStream.crc32c(Bytes.wrap(image)), 4_000,
        SnapshotStream.crc32c(slice), slice);
    RaftPeer.DeliverSnapshotStream d = new RaftPeer.DeliverSnapshotStream(chunk);
    assertRoundTrip(d);
    int size = serialization.serialize(d).get().length;
    assertTrue(size > 3_000 && size < 3_300, "the message holds the slice, not the image: " + size + " bytes");
    assertRoundTrip(new RaftPeer.DeliverSnapshotStream(
        new SnapshotStream.Ack(77L, PeerId.of("p2"), PeerId.of("p1"), 7_000, SnapshotStream.Status.RECEIVED)));
  }

  /** The shape of LogEntry before entries had a kind, as older journals hold it. */
  record LogEntryV1(long index, long term, Bytes command) implements wire.CborSerializable {}

  @Test
  void entriesKindsAndMembershipsSurviveAndOldEntriesReadAsCommands() {
    var m = new raft.message.Membership(List.of(PeerId.of("p1"), PeerId.of("p2")), List.of(PeerId.of("p4")),
        List.of(PeerId.of("p1"), PeerId.of("p3")));
    assertRoundTrip(LogEntry.noop(4, 2));
    assertRoundTrip(LogEntry.confChange(5, 2, m));
    assertRoundTrip(new SnapshotMeta(5, 2, m));
    assertEquals(m, raft.message.Membership.decode(LogEntry.confChange(5, 2, m).command()));
    Object old = new LogEntryV1(3, 1, Bytes.utf8("x"));
    byte[] bytes = serialization.serialize(old).get();
    akka.serialization.Serializer s = serialization.findSerializerFor(old);
    Object read = serialization.deserialize(bytes, s.identifier(), LogEntry.class.getName()).get();
    assertEquals(new LogEntry(3, 1, Bytes.utf8("x"), raft.message.EntryKind.NORMAL), read);
  }
}
