package shardctrl;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.TreeMap;

/**
 * The nodes registered with the controller (name to {@code host:port}), part of its replicated
 * state: a node that joins a running cluster records itself here, so every node learns its address
 * without a change to any other node's config file. A name is registered once: the same name with
 * another address is refused, never overwritten.
 *
 * <p>Mutable, owned by the {@link CtrlStateMachine} that holds it.
 */
final class NodeRegistry {
  private final TreeMap<String, String> nodes = new TreeMap<>();

  CtrlReply register(CtrlCommand.RegisterNode r) {
    String was = nodes.get(r.node());
    if (was != null && !was.equals(r.address())) return new CtrlReply.NodeNameInUse(r.node(), was, r.address());
    nodes.put(r.node(), r.address());
    return all();
  }

  CtrlReply.Nodes all() {
    return new CtrlReply.Nodes(nodes);
  }

  void clear() {
    nodes.clear();
  }

  void write(DataOutput out) throws IOException {
    CtrlCodec.writeNodes(nodes, out);
  }

  void read(DataInput in) throws IOException {
    TreeMap<String, String> read = CtrlCodec.readNodes(in);
    nodes.clear();
    nodes.putAll(read);
  }
}
