package raft.rsm;

import java.io.IOException;
import java.io.UncheckedIOException;
import wire.Bytes;
import wire.BytesInput;
import wire.BytesOutput;

/**
 * One client command as it sits in the Raft log: who sent it ({@code clientId}), its place in
 * that client's sequence ({@code seq}, from 1; 0 for reads, which are never deduplicated) and the
 * command itself. A client retries with the same {@code (clientId, seq)}, so the replicas can
 * apply each write exactly once however often it reaches the log. Encoded and decoded in place
 * ({@link BytesOutput}, {@link BytesInput}): every replica decodes every entry.
 */
public record Envelope<C>(long clientId, long seq, C command) {

  public Bytes encode(Codec<C> codec) {
    try {
      BytesOutput out = new BytesOutput(128);
      out.writeLong(clientId);
      out.writeLong(seq);
      codec.write(command, out);
      return out.toBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws IllegalArgumentException if {@code data} is not an envelope written by {@link #encode} */
  public static <C> Envelope<C> decode(Bytes data, Codec<C> codec) {
    try {
      BytesInput in = data.newDataInput();
      long clientId = in.readLong();
      long seq = in.readLong();
      C command = codec.read(in);
      return new Envelope<>(clientId, seq, command);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not an envelope (" + data.size() + " bytes): " + e, e);
    }
  }
}
