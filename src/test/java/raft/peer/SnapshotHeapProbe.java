package raft.peer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvServer;
import kvraft.KvStore;
import raft.PeerId;
import raft.message.InstallSnapshot;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import raft.rsm.Envelope;
import raft.rsm.Replica;
import shardctrl.ShardConfig;
import shardkv.LabFirstByte;
import shardkv.ShardKvCommand;
import shardkv.ShardKvReply;
import shardkv.ShardKvStateMachine;
import shardkv.ShardMapping;
import wire.Bytes;

/**
 * A child JVM of {@link SnapshotHeapProcessTest}, run with a heap that holds a KV state once with
 * room to spare but not twice. It fills a {@link Replica} over a {@link KvStore} with
 * {@code MIB} MiB of values, then takes and restores its snapshot one way:
 * <ul>
 *   <li>{@code stream}: the shipped path. The leader's replica writes its snapshot into a
 *       {@link SnapshotFiles} file; a {@link SnapshotSender} streams that file in chunks to a
 *       {@link SnapshotReceiver}, which appends them to a file of the follower's store; the
 *       leader's state is dropped (the follower is another process) and a fresh replica restores
 *       from the received file.
 *   <li>{@code replace}: a follower that holds a state as large as the snapshot restores the
 *       snapshot over it (installing a leader's snapshot when a little behind).
 *   <li>{@code shardkv-replace}: the same for a shard group's state machine (all shards owned).
 *   <li>{@code buffered-write}: the image built in memory first ({@link Replica#snapshot()}, one
 *       byte array), as a service that serialized its state into a buffer would do.
 *   <li>{@code buffered-restore}: the file read into memory whole, then restored from that.
 * </ul>
 * The last two must run out of memory: that is what shows the heap is too small for two copies.
 * Protocol lines on stdout: {@code @@max BYTES}, {@code @@state BYTES}, {@code @@file BYTES},
 * {@code @@ok} or {@code @@oom PHASE}. Usage: {@code SnapshotHeapProbe MODE MIB DIR}.
 */
public final class SnapshotHeapProbe {
  private static final PrintStream OUT = new PrintStream(System.out, true, StandardCharsets.UTF_8);
  public static final int VALUE_BYTES = 256 * 1024;
  private static final int CLIENTS = 4;
  private static final PeerId LEADER = PeerId.of("p1");
  private static final PeerId FOLLOWER = PeerId.of("p2");
  private static final int CHUNK_BYTES = 512 * 1024;
  private static final int GID = 100;
  private static final ShardMapping SHARDS = new LabFirstByte(10);

  private SnapshotHeapProbe() {}

  public static void main(String[] args) throws Exception {
    String mode = args[0];
    int values = Integer.parseInt(args[1]) * (1024 * 1024 / VALUE_BYTES);
    Path dir = Path.of(args[2]);
    OUT.println("@@max " + Runtime.getRuntime().maxMemory());
    OUT.println("@@state " + (long) values * VALUE_BYTES);
    String phase = "fill";
    try {
      switch (mode) {
        case "stream" -> {
          phase = "leader";
          SnapshotFile received = leaderStreamsTo(values, new SnapshotFiles(dir.resolve("leader")),
              new SnapshotFiles(dir.resolve("follower")));
          // Only now, with every leader-side reference gone, does the follower build its state.
          phase = "restore";
          check(restored(new SnapshotFiles(dir.resolve("follower")), received), values);
        }
        case "replace" -> {
          Replica<KvCommand, KvReply> replica = filled(values);
          SnapshotFiles files = new SnapshotFiles(dir);
          phase = "write";
          SnapshotFile file = files.write(replica.appliedIndex(), replica::writeSnapshot);
          OUT.println("@@file " + file.size());
          phase = "restore";
          try (SnapshotImage image = files.open(file); InputStream in = image.open()) {
            replica.restore(file.index(), in);
          }
          check(replica, values);
        }
        case "shardkv-replace" -> {
          ShardKvStateMachine machine = shardGroupFilled(values);
          SnapshotFiles files = new SnapshotFiles(dir);
          phase = "write";
          SnapshotFile file = files.write(1, machine::writeSnapshot);
          OUT.println("@@file " + file.size());
          phase = "restore";
          try (SnapshotImage image = files.open(file); InputStream in = image.open()) {
            machine.restore(in);
          }
          for (int i = 0; i < values; i++) {
            ShardKvReply got = machine.apply(ShardKvCommand.ClientOp.of(SHARDS, 9, 0, new KvCommand.Get(key(i))));
            if (!(got instanceof ShardKvReply.Kv kv && kv.reply() instanceof KvReply.Value v && v.value().equals(value(i))))
              throw new AssertionError(key(i) + " lost: " + got);
          }
        }
        case "buffered-write" -> {
          Replica<KvCommand, KvReply> replica = filled(values);
          phase = "write";
          Bytes image = replica.snapshot();
          SnapshotFile file = new SnapshotFiles(dir).write(replica.appliedIndex(), out -> image.newInputStream().transferTo(out));
          OUT.println("@@file " + file.size());
        }
        case "buffered-restore" -> {
          phase = "write";
          SnapshotFiles files = new SnapshotFiles(dir);
          SnapshotFile file = written(values, files);
          phase = "restore";
          Replica<KvCommand, KvReply> fresh = empty();
          try (SnapshotImage image = files.open(file)) {
            fresh.restore(file.index(), image.readAll());
          }
          check(fresh, values);
        }
        default -> throw new IllegalArgumentException("unknown mode " + mode);
      }
    } catch (OutOfMemoryError e) {
      OUT.println("@@oom " + phase);
      System.exit(3);
    }
    OUT.println("@@ok");
  }

  /** The leader's half, in its own frame: when it returns nothing of the leader's state is reachable. */
  private static SnapshotFile leaderStreamsTo(int values, SnapshotFiles leaderFiles, SnapshotFiles followerFiles)
      throws IOException {
    Replica<KvCommand, KvReply> leader = filled(values);
    SnapshotFile file = leaderFiles.write(leader.appliedIndex(), leader::writeSnapshot);
    OUT.println("@@file " + file.size());
    ArrayDeque<SnapshotStream> network = new ArrayDeque<>();
    SnapshotSender sender = new SnapshotSender(CHUNK_BYTES, 4, 10, s -> leaderFiles.open(s.data()), network::add);
    SnapshotReceiver receiver = new SnapshotReceiver(FOLLOWER, followerFiles, 100, network::add);
    sender.send(new InstallSnapshot(1, LEADER, FOLLOWER, new Snapshot(new SnapshotMeta(file.index(), 1), file.toHandle())));
    Optional<InstallSnapshot> installed = Optional.empty();
    while (!network.isEmpty()) {
      SnapshotStream m = network.poll();
      if (m instanceof SnapshotStream.Chunk c) {
        Optional<InstallSnapshot> done = receiver.onChunk(c);
        if (done.isPresent()) installed = done;
      } else {
        sender.onAck((SnapshotStream.Ack) m);
      }
    }
    InstallSnapshot s = installed.orElseThrow(() -> new IllegalStateException("the stream never completed"));
    return SnapshotFile.fromHandle(s.snapshot().data()).orElseThrow();
  }

  private static Replica<KvCommand, KvReply> restored(SnapshotFiles files, SnapshotFile file) throws IOException {
    Replica<KvCommand, KvReply> fresh = empty();
    try (SnapshotImage image = files.open(file); InputStream in = image.open()) {
      fresh.restore(file.index(), in);
    }
    return fresh;
  }

  private static SnapshotFile written(int values, SnapshotFiles files) throws IOException {
    Replica<KvCommand, KvReply> replica = filled(values);
    SnapshotFile file = files.write(replica.appliedIndex(), replica::writeSnapshot);
    OUT.println("@@file " + file.size());
    return file;
  }

  private static Replica<KvCommand, KvReply> empty() {
    return new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS, KvServer.REPLIES, 100);
  }

  /** {@code values} puts from a few clients, applied as committed entries. */
  private static Replica<KvCommand, KvReply> filled(int values) {
    Replica<KvCommand, KvReply> r = empty();
    for (int i = 0; i < values; i++) {
      Envelope<KvCommand> e = new Envelope<>(i % CLIENTS + 1, i / CLIENTS + 1, new KvCommand.Put(key(i), value(i)));
      r.apply(i + 1, e.encode(KvCodec.COMMANDS));
    }
    return r;
  }

  /** A shard group owning every shard, with {@code values} puts applied. */
  private static ShardKvStateMachine shardGroupFilled(int values) {
    ShardKvStateMachine m = new ShardKvStateMachine(GID, SHARDS);
    m.apply(new ShardKvCommand.ConfigChange(new ShardConfig(1, Collections.nCopies(SHARDS.nShards(), GID),
        new TreeMap<>(Map.of(GID, List.of("s" + GID))))));
    for (int i = 0; i < values; i++) {
      ShardKvReply r = m.apply(ShardKvCommand.ClientOp.of(SHARDS, i % CLIENTS + 1, i / CLIENTS + 1,
          new KvCommand.Put(key(i), value(i))));
      if (!(r instanceof ShardKvReply.Kv)) throw new IllegalStateException("put " + i + ": " + r);
    }
    return m;
  }

  private static void check(Replica<KvCommand, KvReply> r, int values) {
    KvStore store = (KvStore) r.machine();
    if (r.appliedIndex() != values) throw new AssertionError("applied index " + r.appliedIndex() + ", not " + values);
    if (store.size() != values) throw new AssertionError(store.size() + " keys, not " + values);
    if (r.sessions().size() != CLIENTS) throw new AssertionError(r.sessions().size() + " sessions, not " + CLIENTS);
    for (int i = 0; i < values; i++) {
      KvReply got = store.apply(new KvCommand.Get(key(i)));
      if (!(got instanceof KvReply.Value v && v.value().equals(value(i)))) throw new AssertionError(key(i) + " lost");
    }
  }

  public static String key(int i) {
    return String.format("k%05d", i);
  }

  /** One byte per char in the heap (Latin-1), with its key in front so no two are alike. */
  public static String value(int i) {
    char[] chars = new char[VALUE_BYTES];
    Arrays.fill(chars, (char) ('a' + i % 26));
    String tag = "value-" + i + ";";
    tag.getChars(0, tag.length(), chars, 0);
    return new String(chars);
  }
}
