package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import testkit.SeedExtension;
import wire.Bytes;

/** A peer's snapshot files: written under a temporary name and renamed, referenced by small handles, deleted in order. */
@ExtendWith(SeedExtension.class)
class SnapshotFilesTest {
  @TempDir
  Path dir;

  private List<String> names() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static byte[] random(long seed, int size) {
    byte[] b = new byte[size];
    new SplittableRandom(seed).nextBytes(b);
    return b;
  }

  @Test
  void anImageIsWrittenAsItIsProducedAndReadBackByPieceOrAsAStream(long seed) throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    byte[] image = random(seed, 300_000);
    SnapshotFile f = files.write(17, out -> {
      for (int i = 0; i < image.length; i += 1000) out.write(image, i, Math.min(1000, image.length - i));
    });
    assertEquals(List.of(f.name()), names(), "one file under its snapshot name, no temporary left");
    assertEquals(17, f.index());
    assertEquals(image.length, f.size());
    assertEquals(SnapshotStream.crc32c(Bytes.wrap(image)), f.crc());
    assertEquals(Optional.of(f), SnapshotFile.fromHandle(f.toHandle()));
    assertTrue(f.toHandle().size() < 100, "the journal holds a reference of " + f.toHandle().size() + " bytes");
    try (SnapshotImage in = files.open(f); InputStream s = in.open()) {
      assertEquals(Bytes.wrap(image), Bytes.wrap(s.readAllBytes()));
      assertEquals(Bytes.wrap(image).slice(1000, 5000), in.read(1000, 5000));
    }
  }

  @Test
  void writeThenSyncWritesTheImageAtOnceAndNamesItOnlyOnceTheSyncerHasRun(long seed) throws Exception {
    SnapshotFiles files = new SnapshotFiles(dir);
    byte[] image = random(seed, 200_000);
    List<Runnable> syncer = new ArrayList<>(); // runs nothing until told: the fsync thread, held back
    CompletionStage<SnapshotFile> synced = files.writeThenSync(23, out -> out.write(image), syncer::add);
    List<String> before = names();
    assertEquals(1, before.size());
    assertTrue(before.get(0).startsWith("tmp-") && before.get(0).endsWith(".part"),
        "not under a snapshot name before it is durable: " + before);
    assertEquals(image.length, Files.size(dir.resolve(before.get(0))), "the whole image is written before it returns");
    assertFalse(synced.toCompletableFuture().isDone());
    assertEquals(1, syncer.size(), "the fsync and rename are handed to the executor");
    syncer.get(0).run();
    SnapshotFile f = synced.toCompletableFuture().get();
    assertEquals(List.of(f.name()), names());
    assertEquals(23, f.index());
    assertEquals(SnapshotStream.crc32c(Bytes.wrap(image)), f.crc());
    try (SnapshotImage in = files.open(f)) {
      assertEquals(Bytes.wrap(image), in.readAll());
    }
    assertThrows(IOException.class, () -> files.writeThenSync(24, out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full");
    }, Runnable::run));
    assertEquals(List.of(f.name()), names(), "a failed writer leaves no temporary file");
  }

  @Test
  void aWriterThatFailsLeavesNoFileBehind() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    assertThrows(IOException.class, () -> files.write(5, out -> {
      out.write(new byte[100_000]);
      throw new IOException("disk full");
    }));
    assertEquals(List.of(), names());
  }

  @Test
  void anOpenImageStaysReadableAfterItsFileIsDeleted(long seed) throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    byte[] image = random(seed, 100_000);
    SnapshotFile old = files.write(5, out -> out.write(image));
    try (SnapshotImage in = files.open(old)) {
      SnapshotFile newer = files.write(9, out -> out.write(1));
      files.deleteOlderThan(newer);
      assertEquals(List.of(newer.name()), names());
      assertEquals(Bytes.wrap(image), in.readAll(), "a service still restoring the old one reads it to the end");
    }
  }

  @Test
  void olderFilesGoOnlyOnceANewerIsDurableAndNewerOnesStay() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    SnapshotFile three = files.write(3, out -> out.write(3));
    SnapshotFile fiveA = files.write(5, out -> out.write(5));
    SnapshotFile fiveB = files.write(5, out -> out.write(55));
    SnapshotFile nine = files.write(9, out -> out.write(9)); // e.g. received, not yet persisted
    Path writing = Files.createFile(dir.resolve("tmp-00000000000000ab.part")); // the service writing one now
    files.deleteOlderThan(fiveB);
    assertEquals(List.of(fiveB.name(), nine.name(), writing.getFileName().toString()), names());
    assertTrue(files.holds(fiveB) && files.holds(nine));
    assertFalse(files.holds(three) || files.holds(fiveA));

    // Recovery: only the referenced file survives (a crash between a file and its event leaves the others).
    files.deleteAllBut(Optional.of(nine));
    assertEquals(List.of(nine.name()), names());
    files.deleteAllBut(Optional.empty());
    assertEquals(List.of(), names());
  }

  @Test
  void aFileOfAnotherSizeThanItsReferenceIsRefused() throws IOException {
    SnapshotFiles files = new SnapshotFiles(dir);
    SnapshotFile f = files.write(4, out -> out.write(new byte[10]));
    Files.write(dir.resolve(f.name()), new byte[7]);
    assertFalse(files.holds(f));
    assertThrows(IOException.class, () -> files.open(f));
  }

  /** Images in journals written before snapshot files are the image bytes themselves: never taken for a handle. */
  @Test
  void imageBytesAreNeverTakenForAHandle(long seed) throws IOException {
    assertEquals(Optional.empty(), SnapshotFile.fromHandle(Bytes.EMPTY));
    assertEquals(Optional.empty(), SnapshotFile.fromHandle(Bytes.utf8("image@12")));
    ByteArrayOutputStream replicaImage = new ByteArrayOutputStream();
    new DataOutputStream(replicaImage).writeLong(12); // raft.rsm.Replica's images start with their index
    replicaImage.write(random(seed, 60));
    assertEquals(Optional.empty(), SnapshotFile.fromHandle(Bytes.wrap(replicaImage.toByteArray())));
    byte[] handle = new SnapshotFile(SnapshotFile.nameFor(12, 7), 12, 99, 5).toHandle().toArray();
    handle[handle.length / 2] ^= 1;
    assertEquals(Optional.empty(), SnapshotFile.fromHandle(Bytes.wrap(handle)), "a handle whose own checksum fails");
    SnapshotFiles files = new SnapshotFiles(dir);
    try (SnapshotImage inline = files.open(Bytes.utf8("image@12"))) {
      assertEquals(Bytes.utf8("image@12"), inline.readAll());
    }
  }

  @Test
  void namesThatCouldLeaveTheDirectoryAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SnapshotFile("../../etc/passwd", 1, 1, 0));
    assertThrows(IllegalArgumentException.class, () -> new SnapshotFile(SnapshotFile.nameFor(3, 1), 4, 1, 0));
  }
}
