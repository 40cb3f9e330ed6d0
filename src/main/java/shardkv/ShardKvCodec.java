package shardkv;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import kvraft.KvCodec;
import kvraft.KvReply;
import raft.rsm.Codec;
import shardctrl.CtrlCodec;

/** Binary encoding of {@link ShardKvCommand}s (log entries) and {@link ShardKvReply}s, by hand like {@link KvCodec}. */
public final class ShardKvCodec {
  private ShardKvCodec() {}

  private static final int CLIENT = 1;
  private static final int CONFIG = 2;
  private static final int CHUNK = 3;
  private static final int DELETE = 4;
  private static final int GC_DONE = 5;

  public static final Codec<ShardKvCommand> COMMANDS = new Codec<>() {
    @Override
    public void write(ShardKvCommand c, DataOutput out) throws IOException {
      if (c instanceof ShardKvCommand.ClientOp o) {
        out.writeByte(CLIENT);
        out.writeLong(o.clientId());
        out.writeLong(o.seq());
        out.writeInt(o.shard());
        KvCodec.COMMANDS.write(o.op(), out);
      } else if (c instanceof ShardKvCommand.ConfigChange cc) {
        out.writeByte(CONFIG);
        CtrlCodec.writeConfig(cc.config(), out);
      } else if (c instanceof ShardKvCommand.InstallChunk ic) {
        out.writeByte(CHUNK);
        out.writeLong(ic.num());
        out.writeInt(ic.shard());
        writeString(ic.fromKey(), out);
        out.writeInt(ic.entries().size());
        for (KvReply.Entry e : ic.entries()) {
          writeString(e.key(), out);
          writeString(e.value(), out);
        }
        out.writeInt(ic.sessions().size());
        for (ShardKvCommand.Session s : ic.sessions()) writeSession(s, out);
        out.writeBoolean(ic.last());
      } else if (c instanceof ShardKvCommand.DeleteShard d) {
        out.writeByte(DELETE);
        out.writeLong(d.num());
        out.writeInt(d.shard());
      } else if (c instanceof ShardKvCommand.GcDone g) {
        out.writeByte(GC_DONE);
        out.writeLong(g.num());
        out.writeInt(g.shard());
      } else {
        throw new IOException("unknown command " + c);
      }
    }

    @Override
    public ShardKvCommand read(DataInput in) throws IOException {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case CLIENT:
          return new ShardKvCommand.ClientOp(in.readLong(), in.readLong(), in.readInt(), KvCodec.COMMANDS.read(in));
        case CONFIG:
          return new ShardKvCommand.ConfigChange(CtrlCodec.readConfig(in));
        case CHUNK: {
          long num = in.readLong();
          int shard = in.readInt();
          String from = readString(in);
          int n = in.readInt();
          List<KvReply.Entry> entries = new ArrayList<>(n);
          for (int i = 0; i < n; i++) entries.add(new KvReply.Entry(readString(in), readString(in)));
          int m = in.readInt();
          List<ShardKvCommand.Session> sessions = new ArrayList<>(m);
          for (int i = 0; i < m; i++) sessions.add(readSession(in));
          return new ShardKvCommand.InstallChunk(num, shard, from, entries, sessions, in.readBoolean());
        }
        case DELETE:
          return new ShardKvCommand.DeleteShard(in.readLong(), in.readInt());
        case GC_DONE:
          return new ShardKvCommand.GcDone(in.readLong(), in.readInt());
        default:
          throw new IOException("unknown command tag " + tag);
      }
    }
  };

  private static final int KV = 1;
  private static final int WRONG_GROUP = 2;
  private static final int APPLIED = 3;
  private static final int IGNORED = 4;
  private static final int NOT_YET = 5;

  public static final Codec<ShardKvReply> RESULTS = new Codec<>() {
    @Override
    public void write(ShardKvReply r, DataOutput out) throws IOException {
      if (r instanceof ShardKvReply.Kv k) {
        out.writeByte(KV);
        KvCodec.RESULTS.write(k.reply(), out);
      } else if (r instanceof ShardKvReply.WrongGroup w) {
        out.writeByte(WRONG_GROUP);
        out.writeLong(w.configNum());
      } else if (r instanceof ShardKvReply.Applied a) {
        out.writeByte(APPLIED);
        out.writeLong(a.configNum());
      } else if (r instanceof ShardKvReply.Ignored i) {
        out.writeByte(IGNORED);
        out.writeLong(i.configNum());
      } else if (r instanceof ShardKvReply.NotYet n) {
        out.writeByte(NOT_YET);
        out.writeLong(n.configNum());
      } else {
        throw new IOException("unknown reply " + r);
      }
    }

    @Override
    public ShardKvReply read(DataInput in) throws IOException {
      int tag = in.readUnsignedByte();
      switch (tag) {
        case KV:
          return new ShardKvReply.Kv(KvCodec.RESULTS.read(in));
        case WRONG_GROUP:
          return new ShardKvReply.WrongGroup(in.readLong());
        case APPLIED:
          return new ShardKvReply.Applied(in.readLong());
        case IGNORED:
          return new ShardKvReply.Ignored(in.readLong());
        case NOT_YET:
          return new ShardKvReply.NotYet(in.readLong());
        default:
          throw new IOException("unknown reply tag " + tag);
      }
    }
  };

  static void writeSession(ShardKvCommand.Session s, DataOutput out) throws IOException {
    out.writeLong(s.clientId());
    out.writeLong(s.seq());
    KvCodec.RESULTS.write(s.result(), out);
  }

  static ShardKvCommand.Session readSession(DataInput in) throws IOException {
    return new ShardKvCommand.Session(in.readLong(), in.readLong(), KvCodec.RESULTS.read(in));
  }

  static void writeString(String s, DataOutput out) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0 || n > (64 << 20)) throw new IOException("string length " + n);
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
