package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import raft.rsm.Codec;
import testkit.SnapshotRoundTrip;

/** The controller's node registry: RegisterNode and Nodes on the state machine, its codecs and snapshots. */
class NodeRegistryTest {

  private static TreeMap<String, String> nodes(String... nameAddress) {
    TreeMap<String, String> m = new TreeMap<>();
    for (int i = 0; i < nameAddress.length; i += 2) m.put(nameAddress[i], nameAddress[i + 1]);
    return m;
  }

  @Test
  void aNodeIsRegisteredOnceAndAnotherAddressForItsNameIsRefused() {
    CtrlStateMachine m = new CtrlStateMachine(10);
    m.apply(CtrlCommand.Join.of(Map.of(1, List.of("g1|n1"))));
    long num = m.latest().num();
    assertEquals(new CtrlReply.Nodes(nodes()), m.apply(CtrlCommand.Nodes.ALL));
    assertEquals(new CtrlReply.Nodes(nodes("n4", "h:4")), m.apply(new CtrlCommand.RegisterNode("n4", "h:4")));
    assertEquals(new CtrlReply.Nodes(nodes("n1", "h:1", "n4", "h:4")), m.apply(new CtrlCommand.RegisterNode("n1", "h:1")));
    assertEquals(new CtrlReply.Nodes(nodes("n1", "h:1", "n4", "h:4")), m.apply(new CtrlCommand.RegisterNode("n4", "h:4")),
        "the same name and address again: nothing changes");
    assertEquals(new CtrlReply.NodeNameInUse("n4", "h:4", "other:4"), m.apply(new CtrlCommand.RegisterNode("n4", "other:4")));
    assertEquals(new CtrlReply.Nodes(nodes("n1", "h:1", "n4", "h:4")), m.apply(CtrlCommand.Nodes.ALL), "the refusal changed nothing");
    assertEquals(num, m.latest().num(), "registering makes no configuration: no shard group has anything to apply");
    assertTrue(CtrlCommand.Nodes.ALL.isRead());
  }

  @Test
  void malformedRegistrationsAreRejectedBeforeTheLog() {
    CtrlStateMachine m = new CtrlStateMachine(10);
    for (CtrlCommand bad : List.of(new CtrlCommand.RegisterNode("", "h:1"), new CtrlCommand.RegisterNode("n.1", "h:1"),
        new CtrlCommand.RegisterNode("n|1", "h:1"), new CtrlCommand.RegisterNode("n1", "h"),
        new CtrlCommand.RegisterNode("n1", "h:x"), new CtrlCommand.RegisterNode("n1", "a b:1"))) {
      assertTrue(bad.malformed(10).isPresent(), bad::toString);
      assertInstanceOf(CtrlReply.Rejected.class, m.apply(bad), bad::toString);
    }
    assertEquals(new CtrlReply.Nodes(nodes()), m.apply(CtrlCommand.Nodes.ALL));
  }

  @Test
  void theRegistrySurvivesASnapshotAndASnapshotFromBeforeItRestoresEmpty() throws IOException {
    CtrlStateMachine m = new CtrlStateMachine(10);
    m.apply(CtrlCommand.Join.of(Map.of(1, List.of("g1|n1"))));
    m.apply(new CtrlCommand.RegisterNode("n4", "h:4"));
    CtrlStateMachine r = new CtrlStateMachine(10);
    SnapshotRoundTrip.roundTrip(m, r);
    assertEquals(new CtrlReply.NodeNameInUse("n4", "h:4", "h:5"), r.apply(new CtrlCommand.RegisterNode("n4", "h:5")));
    assertEquals(m.history(), r.history());

    // The format before the registry: nShards, the history, the pinned shards.
    ByteArrayOutputStream old = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(old);
    out.writeInt(10);
    out.writeInt(m.history().size());
    for (ShardConfig c : m.history()) CtrlCodec.writeConfig(c, out);
    out.writeInt(0);
    out.writeInt(0x2a2a2a2a); // someone else's bytes after it: left unread
    ByteArrayInputStream in = new ByteArrayInputStream(old.toByteArray());
    CtrlStateMachine fromOld = new CtrlStateMachine(10);
    fromOld.restore(in);
    assertEquals(m.history(), fromOld.history());
    assertEquals(new CtrlReply.Nodes(nodes()), fromOld.apply(CtrlCommand.Nodes.ALL));
    assertEquals(4, in.available(), "the old snapshot's end is where it ended");
  }

  @Test
  void codecsRoundTripTheRegistryCommandsAndResults() throws IOException {
    for (CtrlCommand c : List.of(new CtrlCommand.RegisterNode("n4", "127.0.0.1:25534"), CtrlCommand.Nodes.ALL))
      assertEquals(c, roundTrip(CtrlCodec.COMMANDS, c));
    for (CtrlReply r : List.of(new CtrlReply.Nodes(nodes()), new CtrlReply.Nodes(nodes("n1", "a:1", "n4", "b:4")),
        new CtrlReply.NodeNameInUse("n4", "a:4", "b:4")))
      assertEquals(r, roundTrip(CtrlCodec.RESULTS, r));
  }

  private static <T> T roundTrip(Codec<T> codec, T value) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    codec.write(value, new DataOutputStream(buf));
    return codec.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
  }
}
