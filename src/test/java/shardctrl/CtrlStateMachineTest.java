package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import testkit.SnapshotRoundTrip;
import raft.rsm.Codec;

/** The controller's state machine and codecs on hand-picked cases (the random ones: RebalancerPropertyTest). */
class CtrlStateMachineTest {

  private static ShardConfig join(CtrlStateMachine m, int... gids) {
    TreeMap<Integer, List<String>> groups = new TreeMap<>();
    for (int gid : gids) groups.put(gid, List.of("s" + gid));
    return ((CtrlReply.Config) m.apply(new CtrlCommand.Join(groups))).config();
  }

  private static ShardConfig apply(CtrlStateMachine m, CtrlCommand c) {
    return ((CtrlReply.Config) m.apply(c)).config();
  }

  @Test
  void joinsSplitTheShardsAndLeavesHandThemBack() {
    CtrlStateMachine m = new CtrlStateMachine(10);
    assertEquals(ShardConfig.initial(10), m.latest());
    assertEquals(Collections.nCopies(10, 1), join(m, 1).shards());
    // Group 2 takes the five highest shards of group 1: nothing else moves.
    assertEquals(List.of(1, 1, 1, 1, 1, 2, 2, 2, 2, 2), join(m, 2).shards());
    // Group 3: group 1 keeps the larger share of 4 (equal counts: smaller gid), gives its highest.
    assertEquals(List.of(1, 1, 1, 1, 3, 2, 2, 2, 3, 3), join(m, 3).shards());
    // Group 1 leaves: its four shards, lowest first, to the groups below their share (by gid).
    assertEquals(List.of(2, 2, 3, 3, 3, 2, 2, 2, 3, 3), apply(m, CtrlCommand.Leave.of(1)).shards());
    assertEquals(Collections.nCopies(10, 0), apply(m, CtrlCommand.Leave.of(2, 3)).shards(), "no group: gid 0");
    assertEquals(5, m.latest().num());
    assertEquals(6, m.history().size());
  }

  @Test
  void moreGroupsThanShardsLeavesSomeGroupsEmpty() {
    CtrlStateMachine m = new CtrlStateMachine(3);
    join(m, 1, 2, 3, 4, 5);
    ShardConfig c = m.latest();
    assertEquals(List.of(1, 2, 3), c.shards());
    assertEquals(Map.of(1, 1, 2, 1, 3, 1, 4, 0, 5, 0), c.counts());
    assertEquals(List.of(4, 2, 3), apply(m, CtrlCommand.Leave.of(1)).shards(), "only the departed group's shard moves");
  }

  @Test
  void aGroupFullOfMovedShardsKeepsThemWhenAnEqualGroupCanGiveInstead() {
    CtrlStateMachine m = new CtrlStateMachine(10);
    join(m, 1, 2);
    for (int s = 5; s < 10; s++) apply(m, new CtrlCommand.Move(s, 2)); // already there: now pinned
    assertEquals(List.of(1, 1, 1, 1, 1, 2, 2, 2, 2, 2), m.latest().shards());
    // Group 3 joins: shares 4, 3, 3, and groups 1 and 2 both hold 5. The larger share goes to group
    // 2 (more pins), so it gives up one pinned shard and group 1 two unpinned ones, not the reverse.
    assertEquals(List.of(1, 1, 1, 3, 3, 2, 2, 2, 2, 3), join(m, 3).shards());
    assertEquals(new TreeSet<>(List.of(5, 6, 7, 8)), m.pinned());
  }

  @Test
  void aGroupHoldingMorePinsThanItsShareGivesSomeUp() {
    CtrlStateMachine m = new CtrlStateMachine(6);
    join(m, 1, 2);
    for (int s = 3; s < 6; s++) apply(m, new CtrlCommand.Move(s, 2));
    // Shares 2, 2, 2: group 2 holds 3 pinned shards, so balance needs one of them to move.
    assertEquals(List.of(1, 1, 3, 2, 2, 3), join(m, 3).shards());
    assertEquals(new TreeSet<>(List.of(3, 4)), m.pinned());
  }

  @Test
  void aGroupGivesUpUnpinnedShardsFirst() {
    CtrlStateMachine m = new CtrlStateMachine(4);
    join(m, 1, 2);
    apply(m, new CtrlCommand.Move(3, 1)); // group 1 holds 0, 1, 3 (3 pinned); group 2 holds 2
    ShardConfig c = join(m, 3); // group 1 must give one: shard 1 (highest unpinned), not 3
    assertEquals(List.of(1, 3, 2, 1), c.shards());
    apply(m, CtrlCommand.Leave.of(3));
    assertEquals(new TreeSet<>(List.of(3)), m.pinned(), "the pin stays while the shard stays");
    ShardConfig gone = apply(m, CtrlCommand.Leave.of(1));
    assertEquals(List.of(2, 2, 2, 2), gone.shards());
    assertEquals(new TreeSet<>(), m.pinned(), "a pin ends when its shard is moved by rebalancing");
  }

  @Test
  void queryGivesHistoryAndTheLatestPastTheEnd() {
    CtrlStateMachine m = new CtrlStateMachine(10);
    ShardConfig one = join(m, 1);
    ShardConfig two = join(m, 2);
    assertEquals(new CtrlReply.Config(ShardConfig.initial(10)), m.apply(new CtrlCommand.Query(0)));
    assertEquals(new CtrlReply.Config(one), m.apply(new CtrlCommand.Query(1)));
    assertEquals(new CtrlReply.Config(two), m.apply(CtrlCommand.Query.LATEST));
    assertEquals(new CtrlReply.Config(two), m.apply(new CtrlCommand.Query(Long.MAX_VALUE)));
    assertEquals(new CtrlReply.InvalidConfigNum(-7), m.apply(new CtrlCommand.Query(-7)));
  }

  @Test
  void snapshotStreamsAndRestoresFromAStream() throws Exception {
    CtrlStateMachine m = new CtrlStateMachine(10);
    join(m, 1);
    ShardConfig two = join(m, 2, 3);
    CtrlStateMachine r = new CtrlStateMachine(10);
    SnapshotRoundTrip.roundTrip(m, r);
    assertEquals(new CtrlReply.Config(two), r.apply(CtrlCommand.Query.LATEST));
    assertEquals(m.apply(new CtrlCommand.Query(1)), r.apply(new CtrlCommand.Query(1)));
  }

  @Test
  void aSnapshotForAnotherShardCountIsRefused() {
    CtrlStateMachine ten = new CtrlStateMachine(10);
    join(ten, 1);
    assertThrows(IllegalArgumentException.class, () -> new CtrlStateMachine(12).restore(ten.snapshot()));
  }

  @Test
  void serversAreAddedAndRemovedWithoutMovingAShardAndANameIsNeverListedTwice() throws Exception {
    CtrlStateMachine m = new CtrlStateMachine(10);
    ShardConfig one = apply(m, CtrlCommand.Join.of(Map.of(1, List.of("a", "b"), 2, List.of("c"))));
    ShardConfig added = apply(m, new CtrlCommand.AddServer(1, "d"));
    assertEquals(one.shards(), added.shards());
    assertEquals(List.of("a", "b", "d"), added.groups().get(1));
    assertEquals(one.num() + 1, added.num());
    ShardConfig removed = apply(m, new CtrlCommand.RemoveServer(1, "a"));
    assertEquals(one.shards(), removed.shards());
    assertEquals(List.of("b", "d"), removed.groups().get(1));
    assertEquals(List.of("c"), removed.groups().get(2));

    long before = m.latest().num();
    assertEquals(new CtrlReply.ServerUsedBefore(1, "a"), m.apply(new CtrlCommand.AddServer(1, "a")), "removed earlier");
    assertEquals(new CtrlReply.ServerUsedBefore(1, "d"), m.apply(new CtrlCommand.AddServer(1, "d")), "listed now");
    assertEquals(new CtrlReply.UnknownGid(9), m.apply(new CtrlCommand.AddServer(9, "x")));
    assertEquals(new CtrlReply.UnknownGid(9), m.apply(new CtrlCommand.RemoveServer(9, "x")));
    assertEquals(new CtrlReply.UnknownServer(1, "a"), m.apply(new CtrlCommand.RemoveServer(1, "a")));
    assertEquals(CtrlReply.Rejected.class, m.apply(new CtrlCommand.RemoveServer(2, "c")).getClass(), "last server");
    assertEquals(new CtrlReply.InvalidServers(1), m.apply(new CtrlCommand.AddServer(1, " ")));
    assertEquals(new CtrlReply.InvalidGid(0), m.apply(new CtrlCommand.RemoveServer(0, "a")));
    assertEquals(before, m.latest().num(), "a refusal appends no configuration");

    // The history (what makes a name used) survives a snapshot.
    CtrlStateMachine restored = new CtrlStateMachine(10);
    restored.restore(m.snapshot());
    assertEquals(new CtrlReply.ServerUsedBefore(1, "a"), restored.apply(new CtrlCommand.AddServer(1, "a")));
  }

  @Test
  void theControllersOwnServersAreRecordedFromTheBootstrapAndAnIdIsNeverUsedTwice() throws Exception {
    CtrlStateMachine m = new CtrlStateMachine(10);
    join(m, 1);
    ShardConfig before = m.latest();
    List<String> boot = List.of("ctrl|n1", "ctrl|n2", "ctrl|n3");
    assertEquals(new CtrlReply.Controllers(before.num(), List.of()), m.apply(new CtrlCommand.QueryControllers()),
        "nothing recorded: the bootstrap list stands");
    assertEquals(new CtrlReply.UnknownServer(0, "ctrl|n1"), m.apply(new CtrlCommand.RemoveController("ctrl|n1")),
        "no record yet");
    assertEquals(new CtrlReply.ServerUsedBefore(0, "ctrl|n2"), m.apply(new CtrlCommand.AddController("ctrl|n2", boot)),
        "a bootstrap server voted: used");
    assertEquals(before, m.latest(), "a refusal appends no configuration");
    assertEquals(List.of(), m.controllers(), "and records nothing");

    CtrlReply added = m.apply(new CtrlCommand.AddController("ctrl|n4", boot));
    assertEquals(new CtrlReply.Controllers(before.num() + 1, List.of("ctrl|n1", "ctrl|n2", "ctrl|n3", "ctrl|n4")), added);
    assertEquals(before.shards(), m.latest().shards(), "a configuration with the same shards, so watchers hear of it");
    assertEquals(before.groups(), m.latest().groups());
    assertEquals(new CtrlReply.Controllers(before.num() + 2, List.of("ctrl|n2", "ctrl|n3", "ctrl|n4")),
        m.apply(new CtrlCommand.RemoveController("ctrl|n1")));
    assertEquals(new CtrlReply.ServerUsedBefore(0, "ctrl|n1"), m.apply(new CtrlCommand.AddController("ctrl|n1", List.of("x"))),
        "removed earlier; a later bootstrap argument changes nothing");
    assertEquals(new CtrlReply.InvalidServers(0), m.apply(new CtrlCommand.AddController("ctrl|n5", List.of())));
    assertEquals(new CtrlReply.InvalidServers(0), m.apply(new CtrlCommand.AddController(" ", boot)));
    m.apply(new CtrlCommand.RemoveController("ctrl|n2"));
    m.apply(new CtrlCommand.RemoveController("ctrl|n3"));
    assertEquals(CtrlReply.Rejected.class, m.apply(new CtrlCommand.RemoveController("ctrl|n4")).getClass(), "the last one");

    // The record (what makes an id used) survives a snapshot.
    CtrlStateMachine restored = new CtrlStateMachine(10);
    restored.restore(m.snapshot());
    assertEquals(List.of("ctrl|n4"), restored.controllers());
    assertEquals(new CtrlReply.ServerUsedBefore(0, "ctrl|n3"), restored.apply(new CtrlCommand.AddController("ctrl|n3", boot)));
  }

  @Test
  void aSnapshotFromBeforeTheControllersRecordRestoresWithNone() throws Exception {
    CtrlStateMachine m = new CtrlStateMachine(10);
    join(m, 1, 2);
    java.io.ByteArrayOutputStream old = new java.io.ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(old);
    out.writeInt(10);
    out.writeInt(m.history().size());
    for (ShardConfig c : m.history()) CtrlCodec.writeConfig(c, out);
    out.writeInt(0); // no pins; the format ended here
    CtrlStateMachine restored = new CtrlStateMachine(10);
    restored.restore(new ByteArrayInputStream(old.toByteArray()));
    assertEquals(m.history(), restored.history());
    assertEquals(List.of(), restored.controllers());
  }

  @Test
  void codecsRoundTripEveryCommandAndResult() throws IOException {
    List<CtrlCommand> commands = List.of(CtrlCommand.Join.of(Map.of(3, List.of("a", "b"), 1, List.of("ü"))),
        CtrlCommand.Leave.of(4, 2), new CtrlCommand.Move(7, 3), new CtrlCommand.Query(-1), new CtrlCommand.Query(42),
        new CtrlCommand.AddServer(3, "g3|n4.1"), new CtrlCommand.RemoveServer(3, "g3|n1"),
        new CtrlCommand.AddController("ctrl|n4", List.of("ctrl|n1", "ctrl|n2")), new CtrlCommand.RemoveController("ctrl|n1"),
        new CtrlCommand.QueryControllers());
    for (CtrlCommand c : commands) assertEquals(c, roundTrip(CtrlCodec.COMMANDS, c));
    CtrlStateMachine m = new CtrlStateMachine(10);
    List<CtrlReply> results = List.of(new CtrlReply.Config(join(m, 5, 6)), new CtrlReply.GidInUse(1),
        new CtrlReply.UnknownGid(2), new CtrlReply.InvalidGid(-3), new CtrlReply.InvalidServers(4),
        new CtrlReply.ShardOutOfRange(11, 10), new CtrlReply.InvalidConfigNum(-5), new CtrlReply.EmptyRequest(),
        new CtrlReply.ServerUsedBefore(3, "g3|n4"), new CtrlReply.UnknownServer(3, "g3|n9"),
        new CtrlReply.Controllers(7, List.of("ctrl|n2", "ctrl|n4")), new CtrlReply.Controllers(0, List.of()));
    for (CtrlReply r : results) assertEquals(r, roundTrip(CtrlCodec.RESULTS, r));
  }

  private static <T> T roundTrip(Codec<T> codec, T value) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    codec.write(value, new DataOutputStream(buf));
    return codec.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
  }
}
