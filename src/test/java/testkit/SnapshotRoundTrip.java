package testkit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import raft.rsm.StateMachine;

/**
 * A state machine's snapshot through streams, as the replica takes and restores it: written to an
 * {@code OutputStream} that counts its writes, read back from an {@code InputStream} that hands
 * out at most a few bytes per read (code that assumes a read fills its buffer breaks), followed by
 * bytes of someone else's that the restore must leave unread (the snapshot is self-delimiting, so
 * another format can nest it). The restored machine must write exactly the same bytes again.
 */
public final class SnapshotRoundTrip {
  private SnapshotRoundTrip() {}

  private static final byte[] TRAILER = {42, 43, 44, 45};

  /** Restores {@code fresh} from {@code machine}'s streamed snapshot; returns the snapshot's size in bytes. */
  public static long roundTrip(StateMachine<?, ?> machine, StateMachine<?, ?> fresh) throws IOException {
    ByteArrayOutputStream written = new ByteArrayOutputStream();
    CountingOutputStream counting = new CountingOutputStream(written);
    machine.writeSnapshot(counting);
    byte[] image = written.toByteArray();
    assertEquals(image.length, counting.count, "everything written reached the stream (none held back)");
    written.write(TRAILER);
    InputStream in = new TrickleInputStream(new ByteArrayInputStream(written.toByteArray()));
    fresh.restore(in);
    assertArrayEquals(TRAILER, in.readAllBytes(), "the restore read no further than the snapshot's end");
    ByteArrayOutputStream again = new ByteArrayOutputStream();
    fresh.writeSnapshot(again);
    assertArrayEquals(image, again.toByteArray(), "the restored state writes the same snapshot");
    return image.length;
  }

  private static final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    long count;

    CountingOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }

  /** At most 3 bytes per read. */
  private static final class TrickleInputStream extends FilterInputStream {
    TrickleInputStream(InputStream in) {
      super(in);
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      return super.read(b, off, Math.min(len, 3));
    }
  }
}
