package raft.rsm;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import wire.Bytes;

/**
 * The applying half of one replica, without Akka (so the actor server and the simulated lab
 * servers share it): a {@link StateMachine}, its {@link ClientSessions} and the index of the last
 * applied entry. Feed it the committed entries in order; it decodes each {@link Envelope},
 * applies writes exactly once, and takes and restores snapshots of all three together.
 *
 * <p>Mutable, owned by exactly one actor or simulated process.
 */
public final class Replica<C, R> {
  private static final Logger LOG = LoggerFactory.getLogger(Replica.class);

  /**
   * The typed results the replica itself gives when it does not apply a command. Both are
   * decided while applying the entry, from the log alone, so every replica gives the same one.
   */
  public interface Refusals<R> {
    /** The entry could not be decoded, or the state machine threw on it: applying it again cannot help. */
    R rejected(String reason);

    /** The client's session was forgotten ({@link ClientSessions}); the write was not applied. */
    R sessionExpired();
  }

  /**
   * What applying one entry gave. {@code result} is null for an entry that carries no command (an
   * empty entry) and for a duplicate older than the client's last write (its client has moved on).
   */
  public record Outcome<R>(long index, long clientId, long seq, R result, boolean duplicate) {}

  private final StateMachine<C, R> machine;
  private final Codec<C> commands;
  private final Codec<R> results;
  private final Refusals<R> refusals;
  private final ClientSessions<R> sessions;
  private long appliedIndex;

  /** @param maxSessions clients whose sessions are kept (see {@link ClientSessions}) */
  public Replica(StateMachine<C, R> machine, Codec<C> commands, Codec<R> results, Refusals<R> refusals,
      int maxSessions) {
    this.machine = machine;
    this.commands = commands;
    this.results = results;
    this.refusals = refusals;
    this.sessions = new ClientSessions<>(maxSessions);
  }

  public long appliedIndex() {
    return appliedIndex;
  }

  public ClientSessions<R> sessions() {
    return sessions;
  }

  public StateMachine<C, R> machine() {
    return machine;
  }

  /**
   * Applies the committed entry at {@code index}, which must be the next one. An entry that does
   * not decode, or whose command makes the state machine throw, is applied as a failure: its
   * result is the service's {@code rejected} reply (cached in the session like any result), the
   * applied index moves on, and one WARN line says so. Every replica decodes and applies the same
   * bytes against the same state, so every replica fails the same way.
   *
   * @throws IllegalStateException if {@code index} is not {@code appliedIndex() + 1}
   */
  public Outcome<R> apply(long index, Bytes data) {
    if (index != appliedIndex + 1) {
      throw new IllegalStateException("apply out of order: index " + index + " after " + appliedIndex);
    }
    appliedIndex = index;
    if (data.isEmpty()) return new Outcome<>(index, 0, 0, null, false);
    Envelope<C> e;
    try {
      e = Envelope.decode(data, commands);
    } catch (IllegalArgumentException undecodable) {
      LOG.warn("entry {} ({} bytes) does not decode; recorded as a failed command: {}", index, data.size(),
          undecodable.getMessage());
      return new Outcome<>(index, 0, 0, refusals.rejected("entry " + index + " does not decode"), false);
    }
    if (machine.isReadOnly(e.command())) {
      return new Outcome<>(index, e.clientId(), e.seq(), applyCaught(index, e), false);
    }
    ClientSessions.Session<R> last = sessions.get(e.clientId());
    if (last == null && e.seq() > 1) {
      // A session starts at seq 1: this client had one and it expired. Whether this is a retry of
      // a write applied before is unknown, so nothing is applied (and nothing recorded).
      return new Outcome<>(index, e.clientId(), e.seq(), refusals.sessionExpired(), false);
    }
    if (last != null && e.seq() <= last.seq()) {
      R cached = e.seq() == last.seq() ? last.result() : null;
      return new Outcome<>(index, e.clientId(), e.seq(), cached, true);
    }
    R result = applyCaught(index, e);
    sessions.record(e.clientId(), e.seq(), result);
    return new Outcome<>(index, e.clientId(), e.seq(), result, false);
  }

  /** Runs a query ({@link StateMachine#isQuery}) on the state as applied so far; no log entry, no session. */
  public R query(C command) {
    try {
      return machine.apply(command);
    } catch (RuntimeException failed) {
      LOG.warn("query at applied index {} failed", appliedIndex, failed);
      return refusals.rejected("query failed: " + failed);
    }
  }

  private R applyCaught(long index, Envelope<C> e) {
    try {
      return machine.apply(e.command());
    } catch (RuntimeException failed) {
      LOG.warn("entry {} (client {} seq {}) failed to apply; recorded as a failed command", index, e.clientId(),
          e.seq(), failed);
      return refusals.rejected("command at index " + index + " failed: " + failed);
    }
  }

  /** Marks the state machine's part as running to the end of the snapshot (streamed; no length known up front). */
  private static final int STREAMED = -1;

  /**
   * Writes applied index, sessions and the state machine to {@code os} as it goes: the image is
   * never built in memory (the peer's store writes it to a file). Does not close {@code os}.
   */
  public void writeSnapshot(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeLong(appliedIndex);
    sessions.write(out, results);
    out.writeInt(STREAMED);
    out.flush();
    machine.writeSnapshot(os);
    os.flush();
  }

  /** {@link #writeSnapshot} into one value, for the simulated lab servers (whose "disk" holds bytes). */
  public Bytes snapshot() {
    return StateMachine.inMemory(this::writeSnapshot);
  }

  /**
   * Replaces everything by a snapshot of {@link #writeSnapshot}, taken at {@code index}, read from
   * {@code is} as it goes. Also reads the format written before snapshots were streamed (the state
   * machine's part length-prefixed), which journals of earlier versions hold.
   *
   * @throws IllegalArgumentException if the snapshot is unreadable or was taken at another index
   */
  public void restore(long index, InputStream is) {
    try {
      DataInputStream in = new DataInputStream(is);
      long at = in.readLong();
      if (at != index) {
        throw new IllegalArgumentException("snapshot holds index " + at + " but was installed at " + index);
      }
      sessions.readReplacing(in, results);
      int length = in.readInt();
      if (length == STREAMED) machine.restore(in);
      else if (length >= 0) machine.restore(new BoundedInputStream(in, length));
      else throw new IOException("bad state length " + length);
      appliedIndex = index;
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable snapshot at index " + index + ": " + e, e);
    }
  }

  /** Restores from a snapshot held as one value ({@link #snapshot()}). */
  public void restore(long index, Bytes snapshot) {
    restore(index, snapshot.newInputStream());
  }

  /** At most {@code remaining} bytes of {@code in}: the old format's state machine part. */
  private static final class BoundedInputStream extends FilterInputStream {
    private long remaining;

    BoundedInputStream(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) return -1;
      int b = in.read();
      if (b >= 0) remaining--;
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) return -1;
      int n = in.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) remaining -= n;
      return n;
    }
  }
}
