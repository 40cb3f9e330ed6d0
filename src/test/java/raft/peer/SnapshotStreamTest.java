package raft.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import testkit.SeedExtension;
import wire.Bytes;

/**
 * The chunker and the reassembler on a hand-driven network: every chunk and ack waits in a queue
 * until the test delivers, drops, duplicates, reorders or corrupts it. Whatever happens, the
 * follower's core gets the leader's image exactly, or nothing.
 */
@ExtendWith(SeedExtension.class)
class SnapshotStreamTest {
  private static final PeerId LEADER = PeerId.of("p1");
  private static final PeerId FOLLOWER = PeerId.of("p2");
  private static final int CHUNK = 1024;
  private static final int IN_FLIGHT = 3;
  private static final int TIMEOUT_TICKS = 2;

  private final Deque<SnapshotStream.Chunk> chunks = new ArrayDeque<>();
  private final Deque<SnapshotStream.Ack> acks = new ArrayDeque<>();
  private final List<InstallSnapshot> installed = new ArrayList<>();
  private int chunksSent;
  private SnapshotSender sender = newSender();
  private final Path dir = newDir();
  private final SnapshotFiles files = new SnapshotFiles(dir);
  private final SnapshotReceiver receiver = new SnapshotReceiver(FOLLOWER, files, 20,
      part -> acks.add((SnapshotStream.Ack) part));

  private static Path newDir() {
    try {
      return Files.createTempDirectory("snapshot-stream-test-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @AfterEach
  void deleteFiles() throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  /** The files in the follower's store. */
  private List<String> fileNames() throws IOException {
    try (Stream<Path> paths = Files.list(dir)) {
      return paths.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private SnapshotSender newSender() {
    return new SnapshotSender(CHUNK, IN_FLIGHT, TIMEOUT_TICKS, s -> SnapshotImage.of(s.data()), part -> {
      chunksSent++;
      chunks.add((SnapshotStream.Chunk) part);
    });
  }

  private static InstallSnapshot snapshot(long seed, int size) {
    byte[] image = new byte[size];
    new SplittableRandom(seed).nextBytes(image);
    return new InstallSnapshot(3, LEADER, FOLLOWER, new Snapshot(new SnapshotMeta(42, 2), Bytes.wrap(image)));
  }

  /** What the follower's core gets holds a file reference: read the file to compare the image. */
  private void deliverChunk(SnapshotStream.Chunk c) {
    receiver.onChunk(c).ifPresent(m -> {
      SnapshotFile file = SnapshotFile.fromHandle(m.snapshot().data()).orElseThrow();
      try (SnapshotImage image = files.open(file)) {
        installed.add(new InstallSnapshot(m.term(), m.from(), m.to(), new Snapshot(m.snapshot().meta(), image.readAll())));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Delivers everything in both directions until the network is quiet, ticking when it is. */
  private void runToCompletion() {
    for (int round = 0; round < 1000 && installed.isEmpty(); round++) {
      while (!chunks.isEmpty() || !acks.isEmpty()) {
        if (!chunks.isEmpty()) deliverChunk(chunks.poll());
        if (!acks.isEmpty()) sender.onAck(acks.poll());
      }
      if (installed.isEmpty()) tick();
    }
    while (!acks.isEmpty()) sender.onAck(acks.poll());
  }

  private void tick() {
    sender.tick();
    receiver.tick();
  }

  private void assertInstalledExactly(InstallSnapshot sent) {
    assertEquals(List.of(sent), installed, "the follower's core got the leader's snapshot, once");
    assertEquals(0, sender.active(), "the stream is finished");
  }

  @Test
  void anImageOfThreeAndAHalfChunksArrivesWhole(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 3 + CHUNK / 2);
    sender.send(s);
    assertEquals(IN_FLIGHT, chunks.size(), "no more than the window goes out before an ack");
    runToCompletion();
    assertInstalledExactly(s);
    assertEquals(4, chunksSent, "nothing was sent twice");
  }

  @Test
  void emptyAndSingleByteImages() {
    for (int size : new int[] {0, 1, CHUNK}) {
      installed.clear();
      InstallSnapshot s = new InstallSnapshot(3, LEADER, FOLLOWER,
          new Snapshot(new SnapshotMeta(10 + size, 2), Bytes.wrap(new byte[size])));
      sender.send(s);
      runToCompletion();
      assertInstalledExactly(s);
    }
  }

  @Test
  void aLostChunkIsAskedForAgainByTheNextOne(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 10);
    sender.send(s);
    deliverChunk(chunks.poll());
    SnapshotStream.Chunk lost = chunks.poll();
    assertEquals(CHUNK, lost.offset());
    runToCompletion();
    assertInstalledExactly(s);
  }

  @Test
  void aLostLastChunkIsResentAfterATimeout(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 2);
    sender.send(s);
    deliverChunk(chunks.poll());
    chunks.poll(); // the last chunk is lost: no later chunk reveals the gap
    sender.onAck(acks.poll());
    assertTrue(chunks.isEmpty());
    for (int i = 0; i < TIMEOUT_TICKS; i++) tick();
    assertEquals(1, chunks.size(), "resent from the last acknowledged offset");
    assertEquals(CHUNK, chunks.peek().offset());
    runToCompletion();
    assertInstalledExactly(s);
  }

  @Test
  void lostAcksAreCoveredByTheTimeout(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 5);
    sender.send(s);
    while (!chunks.isEmpty()) deliverChunk(chunks.poll());
    acks.clear(); // every ack of the first window lost
    runToCompletion();
    assertInstalledExactly(s);
  }

  @Test
  void duplicateChunksChangeNothing(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 4);
    sender.send(s);
    SnapshotStream.Chunk first = chunks.peek();
    for (int round = 0; round < 100 && installed.isEmpty(); round++) {
      while (!chunks.isEmpty()) {
        SnapshotStream.Chunk c = chunks.poll();
        deliverChunk(c);
        deliverChunk(c);
      }
      while (!acks.isEmpty()) sender.onAck(acks.poll());
    }
    // And once more after the install: a late duplicate is answered, not installed again.
    assertInstalledExactly(s);
    acks.clear();
    deliverChunk(first);
    assertEquals(SnapshotStream.Status.COMPLETE, acks.poll().status());
    assertInstalledExactly(s);
  }

  @Test
  void reorderedChunksArriveWhole(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    InstallSnapshot s = snapshot(seed, CHUNK * 9 + 7);
    sender.send(s);
    for (int round = 0; round < 1000 && installed.isEmpty(); round++) {
      List<SnapshotStream.Chunk> window = new ArrayList<>(chunks);
      chunks.clear();
      Collections.shuffle(window, new java.util.Random(rnd.nextLong()));
      window.forEach(this::deliverChunk);
      List<SnapshotStream.Ack> answers = new ArrayList<>(acks);
      acks.clear();
      Collections.shuffle(answers, new java.util.Random(rnd.nextLong()));
      answers.forEach(sender::onAck);
      if (chunks.isEmpty() && installed.isEmpty()) tick();
    }
    assertInstalledExactly(s);
  }

  @Test
  void aChunkWithABadChecksumIsRefusedAndAskedForAgain(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 3);
    sender.send(s);
    deliverChunk(chunks.poll());
    deliverChunk(corrupt(chunks.poll()));
    SnapshotStream.Ack refusal = acks.peekLast();
    assertEquals(SnapshotStream.Status.RESEND, refusal.status());
    assertEquals(CHUNK, refusal.offset(), "asks again from the corrupt chunk");
    assertEquals(CHUNK, receiver.receiving(), "nothing of the corrupt chunk was kept");
    runToCompletion();
    assertInstalledExactly(s);
  }

  @Test
  void anImageWithABadChecksumIsNeverInstalled(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 2);
    sender.send(s);
    // Every chunk is intact but the image checksum they announce is wrong (say, a corrupt leader).
    for (int i = 0; i < 20; i++) {
      while (!chunks.isEmpty()) {
        SnapshotStream.Chunk c = chunks.poll();
        deliverChunk(new SnapshotStream.Chunk(c.version(), c.term(), c.from(), c.to(), c.streamId(), c.meta(),
            c.imageSize(), c.imageCrc() ^ 1, c.offset(), c.chunkCrc(), c.data()));
      }
      while (!acks.isEmpty()) {
        SnapshotStream.Ack a = acks.poll();
        assertNotEquals(SnapshotStream.Status.COMPLETE, a.status());
        sender.onAck(a);
      }
      tick();
    }
    assertEquals(List.of(), installed, "never installed");
    assertTrue(chunksSent > 2, "and asked for again: " + chunksSent + " chunks sent");
  }

  @Test
  void anotherFormatVersionIsRefusedAndNotStreamedAgain(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 4);
    sender.send(s);
    SnapshotStream.Chunk c = chunks.poll();
    chunks.clear();
    deliverChunk(new SnapshotStream.Chunk(SnapshotStream.FORMAT_VERSION + 1, c.term(), c.from(), c.to(), c.streamId(),
        c.meta(), c.imageSize(), c.imageCrc(), c.offset(), c.chunkCrc(), c.data()));
    SnapshotStream.Ack a = acks.poll();
    assertEquals(SnapshotStream.Status.UNSUPPORTED_VERSION, a.status());
    sender.onAck(a);
    int sent = chunksSent;
    sender.send(s); // the core repeats its InstallSnapshot
    for (int i = 0; i < TIMEOUT_TICKS * 3; i++) tick();
    assertEquals(sent, chunksSent, "a refused image is not streamed again");
    assertEquals(List.of(), installed);
  }

  @Test
  void aRestartedSenderStartsANewStreamThatReplacesThePartialOne(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 6);
    sender.send(s);
    deliverChunk(chunks.poll());
    deliverChunk(chunks.poll());
    chunks.clear();
    acks.clear();
    assertEquals(2 * CHUNK, receiver.receiving());
    sender = newSender(); // the leader restarted: a new stream, from byte 0
    sender.send(s);
    chunks.poll(); // and even its first chunk is lost: the follower asks for the start
    runToCompletion();
    assertInstalledExactly(s);
  }

  @Test
  void theCoresRepeatsDoNotRestartAStream(long seed) {
    InstallSnapshot s = snapshot(seed, CHUNK * 8);
    sender.send(s);
    for (int i = 0; i < 5; i++) sender.send(s);
    assertEquals(IN_FLIGHT, chunksSent, "one window, not six");
    runToCompletion();
    assertInstalledExactly(s);
    assertEquals(8, chunksSent);
    sender.send(s); // a repeat right after completion (the core's answer is still on its way)
    assertEquals(8, chunksSent);
    for (int i = 0; i < TIMEOUT_TICKS * SnapshotSender.MAX_IDLE_TIMEOUTS; i++) tick();
    sender.send(s); // the answer never came: stream it again
    assertEquals(8 + IN_FLIGHT, chunksSent);
  }

  @Test
  void aStalledPartialImageIsDropped(long seed) throws IOException {
    InstallSnapshot s = snapshot(seed, CHUNK * 4);
    sender.send(s);
    deliverChunk(chunks.poll());
    assertEquals(CHUNK, receiver.receiving());
    assertEquals(1, fileNames().size(), "the partial image is in a temporary file: " + fileNames());
    assertTrue(fileNames().get(0).endsWith(".part"), fileNames().toString());
    for (int i = 0; i < 20; i++) receiver.tick();
    assertEquals(-1, receiver.receiving(), "it was dropped");
    assertEquals(List.of(), fileNames(), "its temporary file was deleted");
  }

  @Test
  void theReceivedImageIsOneRenamedFileAndNoBufferOfItsSize(long seed) throws IOException {
    InstallSnapshot s = snapshot(seed, CHUNK * 5 + 7);
    sender.send(s);
    runToCompletion();
    assertInstalledExactly(s);
    List<String> names = fileNames();
    assertEquals(1, names.size(), names.toString());
    assertEquals(42, SnapshotFile.indexOf(names.get(0)), "a snapshot file named by its index: " + names);
    assertEquals(CHUNK * 5 + 7, Files.size(dir.resolve(names.get(0))));
  }

  private static SnapshotStream.Chunk corrupt(SnapshotStream.Chunk c) {
    byte[] data = c.data().toArray();
    data[data.length / 2] ^= 0x10;
    return new SnapshotStream.Chunk(c.version(), c.term(), c.from(), c.to(), c.streamId(), c.meta(), c.imageSize(),
        c.imageCrc(), c.offset(), c.chunkCrc(), Bytes.wrap(data));
  }
}
