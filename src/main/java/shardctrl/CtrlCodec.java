package shardctrl;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import raft.rsm.Codec;

/**
 * The log and snapshot encoding of {@link CtrlCommand}s, of the results the state machine gives
 * (kept in client sessions) and of {@link ShardConfig}s: a tag byte, then the fields; strings as
 * UTF-8 ({@link DataOutput#writeUTF}). This is a journal format: add tags, never renumber them.
 */
public final class CtrlCodec {
  private CtrlCodec() {}

  public static final Codec<CtrlCommand> COMMANDS = new Codec<>() {
    @Override
    public void write(CtrlCommand c, DataOutput out) throws IOException {
      if (c instanceof CtrlCommand.Join j) {
        out.writeByte(1);
        writeGroups(j.groups(), out);
      } else if (c instanceof CtrlCommand.Leave l) {
        out.writeByte(2);
        out.writeInt(l.gids().size());
        for (int gid : l.gids()) out.writeInt(gid);
      } else if (c instanceof CtrlCommand.Move m) {
        out.writeByte(3);
        out.writeInt(m.shard());
        out.writeInt(m.gid());
      } else if (c instanceof CtrlCommand.Query q) {
        out.writeByte(4);
        out.writeLong(q.num());
      } else if (c instanceof CtrlCommand.AddServer a) {
        out.writeByte(5);
        out.writeInt(a.gid());
        out.writeUTF(a.server());
      } else if (c instanceof CtrlCommand.RemoveServer r) {
        out.writeByte(6);
        out.writeInt(r.gid());
        out.writeUTF(r.server());
      } else if (c instanceof CtrlCommand.RegisterNode n) {
        out.writeByte(20); // 20 and up: the node registry (7.. left to replica-move commands)
        out.writeUTF(n.node());
        out.writeUTF(n.address());
      } else if (c instanceof CtrlCommand.Nodes) {
        out.writeByte(21);
      } else if (c instanceof CtrlCommand.AddController a) {
        out.writeByte(7);
        out.writeUTF(a.server());
        writeStrings(a.bootstrap(), out);
      } else if (c instanceof CtrlCommand.RemoveController r) {
        out.writeByte(8);
        out.writeUTF(r.server());
      } else if (c instanceof CtrlCommand.QueryControllers) {
        out.writeByte(9);
      } else {
        throw new IllegalArgumentException("unknown command " + c);
      }
    }

    @Override
    public CtrlCommand read(DataInput in) throws IOException {
      byte tag = in.readByte();
      switch (tag) {
        case 1:
          return new CtrlCommand.Join(readGroups(in));
        case 2: {
          int n = in.readInt();
          TreeSet<Integer> gids = new TreeSet<>();
          for (int i = 0; i < n; i++) gids.add(in.readInt());
          return new CtrlCommand.Leave(gids);
        }
        case 3:
          return new CtrlCommand.Move(in.readInt(), in.readInt());
        case 4:
          return new CtrlCommand.Query(in.readLong());
        case 5:
          return new CtrlCommand.AddServer(in.readInt(), in.readUTF());
        case 6:
          return new CtrlCommand.RemoveServer(in.readInt(), in.readUTF());
        case 20:
          return new CtrlCommand.RegisterNode(in.readUTF(), in.readUTF());
        case 21:
          return CtrlCommand.Nodes.ALL;
        case 7:
          return new CtrlCommand.AddController(in.readUTF(), readStrings(in));
        case 8:
          return new CtrlCommand.RemoveController(in.readUTF());
        case 9:
          return new CtrlCommand.QueryControllers();
        default:
          throw new IOException("unknown command tag " + tag);
      }
    }
  };

  public static final Codec<CtrlReply> RESULTS = new Codec<>() {
    @Override
    public void write(CtrlReply r, DataOutput out) throws IOException {
      if (r instanceof CtrlReply.Config c) {
        out.writeByte(1);
        writeConfig(c.config(), out);
      } else if (r instanceof CtrlReply.GidInUse g) {
        out.writeByte(2);
        out.writeInt(g.gid());
      } else if (r instanceof CtrlReply.UnknownGid g) {
        out.writeByte(3);
        out.writeInt(g.gid());
      } else if (r instanceof CtrlReply.InvalidGid g) {
        out.writeByte(4);
        out.writeInt(g.gid());
      } else if (r instanceof CtrlReply.InvalidServers g) {
        out.writeByte(5);
        out.writeInt(g.gid());
      } else if (r instanceof CtrlReply.ShardOutOfRange s) {
        out.writeByte(6);
        out.writeInt(s.shard());
        out.writeInt(s.nShards());
      } else if (r instanceof CtrlReply.InvalidConfigNum q) {
        out.writeByte(7);
        out.writeLong(q.num());
      } else if (r instanceof CtrlReply.EmptyRequest) {
        out.writeByte(8);
      } else if (r instanceof CtrlReply.Rejected rej) {
        out.writeByte(9); // a command that failed to decode or apply: cached in its session like a result
        out.writeUTF(rej.reason());
      } else if (r instanceof CtrlReply.ServerUsedBefore u) {
        out.writeByte(10);
        out.writeInt(u.gid());
        out.writeUTF(u.server());
      } else if (r instanceof CtrlReply.UnknownServer u) {
        out.writeByte(11);
        out.writeInt(u.gid());
        out.writeUTF(u.server());
      } else if (r instanceof CtrlReply.Nodes n) {
        out.writeByte(20);
        writeNodes(n.nodes(), out);
      } else if (r instanceof CtrlReply.NodeNameInUse u) {
        out.writeByte(21);
        out.writeUTF(u.node());
        out.writeUTF(u.registeredAddress());
        out.writeUTF(u.address());
      } else if (r instanceof CtrlReply.Controllers c) {
        out.writeByte(12);
        out.writeLong(c.num());
        writeStrings(c.servers(), out);
      } else {
        throw new IllegalArgumentException("not a state machine result: " + r);
      }
    }

    @Override
    public CtrlReply read(DataInput in) throws IOException {
      byte tag = in.readByte();
      switch (tag) {
        case 1:
          return new CtrlReply.Config(readConfig(in));
        case 2:
          return new CtrlReply.GidInUse(in.readInt());
        case 3:
          return new CtrlReply.UnknownGid(in.readInt());
        case 4:
          return new CtrlReply.InvalidGid(in.readInt());
        case 5:
          return new CtrlReply.InvalidServers(in.readInt());
        case 6:
          return new CtrlReply.ShardOutOfRange(in.readInt(), in.readInt());
        case 7:
          return new CtrlReply.InvalidConfigNum(in.readLong());
        case 8:
          return new CtrlReply.EmptyRequest();
        case 9:
          return new CtrlReply.Rejected(in.readUTF());
        case 10:
          return new CtrlReply.ServerUsedBefore(in.readInt(), in.readUTF());
        case 11:
          return new CtrlReply.UnknownServer(in.readInt(), in.readUTF());
        case 20:
          return new CtrlReply.Nodes(readNodes(in));
        case 21:
          return new CtrlReply.NodeNameInUse(in.readUTF(), in.readUTF(), in.readUTF());
        case 12:
          return new CtrlReply.Controllers(in.readLong(), readStrings(in));
        default:
          throw new IOException("unknown result tag " + tag);
      }
    }
  };

  public static void writeConfig(ShardConfig c, DataOutput out) throws IOException {
    out.writeLong(c.num());
    out.writeInt(c.nShards());
    for (int gid : c.shards()) out.writeInt(gid);
    writeGroups(c.groups(), out);
  }

  public static ShardConfig readConfig(DataInput in) throws IOException {
    long num = in.readLong();
    int n = in.readInt();
    List<Integer> shards = new ArrayList<>(n);
    for (int i = 0; i < n; i++) shards.add(in.readInt());
    return new ShardConfig(num, shards, readGroups(in));
  }

  /** Node name to {@code host:port}, in name order. */
  static void writeNodes(SortedMap<String, String> nodes, DataOutput out) throws IOException {
    out.writeInt(nodes.size());
    for (var e : nodes.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeUTF(e.getValue());
    }
  }

  static TreeMap<String, String> readNodes(DataInput in) throws IOException {
    int n = in.readInt();
    TreeMap<String, String> nodes = new TreeMap<>();
    for (int i = 0; i < n; i++) nodes.put(in.readUTF(), in.readUTF());
    return nodes;
  }

  /** A count, then each string. */
  public static void writeStrings(List<String> strings, DataOutput out) throws IOException {
    out.writeInt(strings.size());
    for (String s : strings) out.writeUTF(s);
  }

  public static List<String> readStrings(DataInput in) throws IOException {
    int n = in.readInt();
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(in.readUTF());
    return out;
  }

  private static void writeGroups(SortedMap<Integer, List<String>> groups, DataOutput out)
      throws IOException {
    out.writeInt(groups.size());
    for (var e : groups.entrySet()) {
      out.writeInt(e.getKey());
      writeStrings(e.getValue(), out);
    }
  }

  private static TreeMap<Integer, List<String>> readGroups(DataInput in) throws IOException {
    int n = in.readInt();
    TreeMap<Integer, List<String>> groups = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      int gid = in.readInt();
      groups.put(gid, readStrings(in));
    }
    return groups;
  }
}
