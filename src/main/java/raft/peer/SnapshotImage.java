package raft.peer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import wire.Bytes;

/**
 * A snapshot's image, read in pieces: a file of the peer's {@link SnapshotFiles} (opened when this
 * was made, so the file may be deleted meanwhile: an open file stays readable), or bytes held in
 * memory (an image from a journal written before snapshot files, until the next snapshot replaces
 * it). Close it when done.
 */
public sealed interface SnapshotImage extends AutoCloseable {
  long size();

  /** CRC32C of the whole image. */
  int crc32c();

  /** Bytes {@code offset .. offset + length} (within the image). */
  Bytes read(long offset, int length) throws IOException;

  /** The whole image from its start, read as it goes; each call reads independently of the others. */
  InputStream open();

  @Override
  void close();

  /** The whole image in one value: only for small images and tests. */
  default Bytes readAll() {
    if (size() > Integer.MAX_VALUE - 8) throw new IllegalStateException("an image of " + size() + " bytes is too large");
    try {
      return read(0, (int) size());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static SnapshotImage of(Bytes data) {
    return new InMemory(data);
  }

  /** An image held as bytes. */
  record InMemory(Bytes data) implements SnapshotImage {
    @Override
    public long size() {
      return data.size();
    }

    @Override
    public int crc32c() {
      return SnapshotStream.crc32c(data);
    }

    @Override
    public Bytes read(long offset, int length) {
      return data.slice((int) offset, length);
    }

    @Override
    public InputStream open() {
      return data.newInputStream();
    }

    @Override
    public void close() {}
  }

  /** An image in a snapshot file, read with positional reads of one open channel. */
  final class InFile implements SnapshotImage {
    private final SnapshotFile file;
    private final FileChannel channel;

    InFile(SnapshotFile file, FileChannel channel) {
      this.file = file;
      this.channel = channel;
    }

    public SnapshotFile file() {
      return file;
    }

    @Override
    public long size() {
      return file.size();
    }

    @Override
    public int crc32c() {
      return file.crc();
    }

    @Override
    public Bytes read(long offset, int length) throws IOException {
      if (offset < 0 || length < 0 || offset + length > file.size())
        throw new IndexOutOfBoundsException("bytes " + offset + "+" + length + " of " + file.describe());
      ByteBuffer buf = ByteBuffer.allocate(length);
      while (buf.hasRemaining()) {
        if (channel.read(buf, offset + buf.position()) < 0) throw new IOException(file.describe() + " is truncated");
      }
      return Bytes.wrap(buf.array());
    }

    @Override
    public InputStream open() {
      return new BufferedInputStream(new InputStream() {
        private long position;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (position >= file.size()) return -1;
          int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, file.size() - position)), position);
          if (n < 0) throw new IOException(file.describe() + " is truncated");
          position += n;
          return n;
        }
      }, 64 * 1024);
    }

    @Override
    public void close() {
      try {
        channel.close();
      } catch (IOException ignored) {
        // a read-only channel: nothing was left unwritten
      }
    }

    @Override
    public String toString() {
      return "SnapshotImage(" + file.describe() + ")";
    }
  }
}
