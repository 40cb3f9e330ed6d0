package kvraft;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import raft.rsm.Codec;
import wire.BytesInput;

/**
 * The log and snapshot encoding of {@link KvCommand} and {@link KvReply}: a tag byte, then the
 * fields; strings as length-prefixed UTF-8 (length -1 for null). This is a journal format: add
 * tags, never renumber them.
 */
public final class KvCodec {
  private KvCodec() {}

  public static final Codec<KvCommand> COMMANDS = new Codec<>() {
    @Override
    public void write(KvCommand c, DataOutput out) throws IOException {
      if (c instanceof KvCommand.Get g) {
        out.writeByte(1);
        writeString(g.key(), out);
      } else if (c instanceof KvCommand.Put p) {
        out.writeByte(2);
        writeString(p.key(), out);
        writeString(p.value(), out);
      } else if (c instanceof KvCommand.Append a) {
        out.writeByte(3);
        writeString(a.key(), out);
        writeString(a.value(), out);
      } else if (c instanceof KvCommand.Delete d) {
        out.writeByte(4);
        writeString(d.key(), out);
      } else if (c instanceof KvCommand.Cas s) {
        out.writeByte(5);
        writeString(s.key(), out);
        writeString(s.expected(), out);
        writeString(s.value(), out);
      } else if (c instanceof KvCommand.Scan s) {
        out.writeByte(6);
        writeString(s.key(), out);
        writeString(s.to(), out);
        out.writeInt(s.limit());
      } else {
        throw new IllegalArgumentException("unknown command " + c);
      }
    }

    @Override
    public KvCommand read(DataInput in) throws IOException {
      int tag = in.readByte();
      switch (tag) {
        case 1: return new KvCommand.Get(readString(in));
        case 2: return new KvCommand.Put(readString(in), readString(in));
        case 3: return new KvCommand.Append(readString(in), readString(in));
        case 4: return new KvCommand.Delete(readString(in));
        case 5: return new KvCommand.Cas(readString(in), readString(in), readString(in));
        case 6: return new KvCommand.Scan(readString(in), readString(in), in.readInt());
        default: throw new IOException("unknown command tag " + tag);
      }
    }
  };

  /** Only results of applied writes are encoded (they are what {@code ClientSessions} keeps). */
  public static final Codec<KvReply> RESULTS = new Codec<>() {
    @Override
    public void write(KvReply r, DataOutput out) throws IOException {
      if (r instanceof KvReply.Value v) {
        out.writeByte(1);
        writeString(v.value(), out);
      } else if (r instanceof KvReply.NoKey) {
        out.writeByte(2);
      } else if (r instanceof KvReply.Done) {
        out.writeByte(3);
      } else if (r instanceof KvReply.CasResult c) {
        out.writeByte(4);
        out.writeBoolean(c.swapped());
        writeString(c.previous(), out);
      } else if (r instanceof KvReply.Scanned s) {
        out.writeByte(5);
        out.writeInt(s.entries().size());
        for (KvReply.Entry e : s.entries()) {
          writeString(e.key(), out);
          writeString(e.value(), out);
        }
        out.writeBoolean(s.more());
      } else if (r instanceof KvReply.Rejected rej) {
        out.writeByte(6); // a command applied as a failure (Replica): its session caches the failure
        writeString(rej.reason(), out);
      } else {
        throw new IllegalArgumentException("not a result of an applied command: " + r);
      }
    }

    @Override
    public KvReply read(DataInput in) throws IOException {
      int tag = in.readByte();
      switch (tag) {
        case 1: return new KvReply.Value(readString(in));
        case 2: return KvReply.NO_KEY;
        case 3: return KvReply.DONE;
        case 4: return new KvReply.CasResult(in.readBoolean(), readString(in));
        case 5: {
          int n = in.readInt();
          List<KvReply.Entry> entries = new ArrayList<>(n);
          for (int i = 0; i < n; i++) entries.add(new KvReply.Entry(readString(in), readString(in)));
          return new KvReply.Scanned(entries, in.readBoolean());
        }
        case 6: return new KvReply.Rejected(readString(in));
        default: throw new IOException("unknown result tag " + tag);
      }
    }
  };

  static void writeString(String s, DataOutput out) throws IOException {
    if (s == null) {
      out.writeInt(-1);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  static String readString(DataInput in) throws IOException {
    int n = in.readInt();
    if (n < 0) return null;
    if (in instanceof BytesInput direct) return direct.readUtf8(n); // a log entry: no copy in between
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }
}
