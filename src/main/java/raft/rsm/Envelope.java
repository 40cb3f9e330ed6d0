package raft.rsm;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import wire.Bytes;

/**
 * One client command as it sits in the Raft log: who sent it ({@code clientId}), its place in
 * that client's sequence ({@code seq}, from 1; 0 for reads, which are never deduplicated) and the
 * command itself. A client retries with the same {@code (clientId, seq)}, so the replicas can
 * apply each write exactly once however often it reaches the log.
 */
public record Envelope<C>(long clientId, long seq, C command) {

  public Bytes encode(Codec<C> codec) {
    try {
      ByteArrayOutputStream buf = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(buf);
      out.writeLong(clientId);
      out.writeLong(seq);
      codec.write(command, out);
      out.flush();
      return Bytes.wrap(buf.toByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws IllegalArgumentException if {@code data} is not an envelope written by {@link #encode} */
  public static <C> Envelope<C> decode(Bytes data, Codec<C> codec) {
    try {
      DataInputStream in = new DataInputStream(data.newInputStream());
      long clientId = in.readLong();
      long seq = in.readLong();
      C command = codec.read(in);
      return new Envelope<>(clientId, seq, command);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an envelope (" + data.size() + " bytes): " + e, e);
    }
  }
}
