package kvraft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import testkit.SnapshotRoundTrip;
import raft.PeerId;
import raft.rsm.Codec;

/** The KV state machine's operations, its snapshot and both of its encodings. */
@org.junit.jupiter.api.extension.ExtendWith(testkit.SeedExtension.class)
class KvStoreTest {

  private static KvStore store(String... kvs) {
    KvStore s = new KvStore();
    for (int i = 0; i < kvs.length; i += 2) s.apply(new KvCommand.Put(kvs[i], kvs[i + 1]));
    return s;
  }

  @Test
  void getPutAppendDelete() {
    KvStore s = new KvStore();
    assertEquals(KvReply.NO_KEY, s.apply(new KvCommand.Get("k")));
    assertEquals(KvReply.DONE, s.apply(new KvCommand.Append("k", "a")));
    s.apply(new KvCommand.Append("k", "b"));
    assertEquals(new KvReply.Value("ab"), s.apply(new KvCommand.Get("k")));
    s.apply(new KvCommand.Put("k", "x"));
    assertEquals(new KvReply.Value("x"), s.apply(new KvCommand.Get("k")));
    assertEquals(KvReply.DONE, s.apply(new KvCommand.Delete("k")));
    assertEquals(KvReply.NO_KEY, s.apply(new KvCommand.Get("k")));
    assertEquals(KvReply.DONE, s.apply(new KvCommand.Delete("k")), "deleting an absent key is fine");
  }

  /**
   * Random operations on a few keys answer as a plain sorted map would, and a store restored from
   * a snapshot taken midway answers the rest alike: the hash index and the sorted map never disagree.
   */
  @Test
  void randomOperationsAnswerAsASortedMapWould(long seed) throws Exception {
    java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
    java.util.TreeMap<String, String> model = new java.util.TreeMap<>();
    KvStore store = new KvStore();
    for (int i = 0; i < 5_000; i++) {
      if (i == 2_500) {
        ByteArrayOutputStream image = new ByteArrayOutputStream();
        store.writeSnapshot(image);
        store = new KvStore();
        store.restore(new ByteArrayInputStream(image.toByteArray()));
      }
      String key = "k" + r.nextInt(20);
      String value = "v" + r.nextInt(5);
      KvCommand c = switch (r.nextInt(6)) {
        case 0 -> new KvCommand.Put(key, value);
        case 1 -> new KvCommand.Append(key, value);
        case 2 -> new KvCommand.Delete(key);
        case 3 -> new KvCommand.Cas(key, r.nextBoolean() ? null : value, "c" + i);
        case 4 -> new KvCommand.Scan(key, r.nextBoolean() ? null : "k" + r.nextInt(20), r.nextInt(4));
        default -> new KvCommand.Get(key);
      };
      assertEquals(modelReply(model, c), store.apply(c), "operation " + i + ": " + c);
      assertEquals(model.size(), store.size());
    }
  }

  /** What the store answered when it was one TreeMap. */
  private static KvReply modelReply(java.util.TreeMap<String, String> m, KvCommand c) {
    if (c instanceof KvCommand.Get g) return m.containsKey(g.key()) ? new KvReply.Value(m.get(g.key())) : KvReply.NO_KEY;
    if (c instanceof KvCommand.Put p) m.put(p.key(), p.value());
    else if (c instanceof KvCommand.Append a) m.merge(a.key(), a.value(), String::concat);
    else if (c instanceof KvCommand.Delete d) m.remove(d.key());
    else if (c instanceof KvCommand.Cas x) {
      String current = m.get(x.key());
      boolean matches = x.expected() == null ? current == null : x.expected().equals(current);
      if (matches) m.put(x.key(), x.value());
      return new KvReply.CasResult(matches, current);
    } else if (c instanceof KvCommand.Scan sc) {
      java.util.NavigableMap<String, String> range = sc.to() == null ? m.tailMap(sc.key(), true)
          : sc.key().compareTo(sc.to()) >= 0 ? new java.util.TreeMap<>() : m.subMap(sc.key(), true, sc.to(), false);
      List<KvReply.Entry> out = new java.util.ArrayList<>();
      for (var e : range.entrySet()) {
        if (sc.limit() > 0 && out.size() == sc.limit()) return new KvReply.Scanned(out, true);
        out.add(new KvReply.Entry(e.getKey(), e.getValue()));
      }
      return new KvReply.Scanned(out, false);
    }
    return KvReply.DONE;
  }

  @Test
  void compareAndSet() {
    KvStore s = new KvStore();
    assertEquals(new KvReply.CasResult(true, null), s.apply(new KvCommand.Cas("k", null, "1")));
    assertEquals(new KvReply.CasResult(false, "1"), s.apply(new KvCommand.Cas("k", null, "2")));
    assertEquals(new KvReply.CasResult(false, "1"), s.apply(new KvCommand.Cas("k", "0", "2")));
    assertEquals(new KvReply.CasResult(true, "1"), s.apply(new KvCommand.Cas("k", "1", "2")));
    assertEquals(new KvReply.Value("2"), s.apply(new KvCommand.Get("k")));
  }

  @Test
  void scanWalksARangeInOrderUpToTheLimit() {
    KvStore s = store("b", "2", "a", "1", "d", "4", "c", "3");
    assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("b", "2"), new KvReply.Entry("c", "3")), false),
        s.apply(new KvCommand.Scan("b", "d", 0)));
    assertEquals(new KvReply.Scanned(List.of(new KvReply.Entry("a", "1"), new KvReply.Entry("b", "2")), true),
        s.apply(new KvCommand.Scan("", null, 2)));
    assertEquals(new KvReply.Scanned(List.of(), false), s.apply(new KvCommand.Scan("d", "a", 0)));
    assertEquals(4, ((KvReply.Scanned) s.apply(new KvCommand.Scan("", null, 0))).entries().size());
  }

  @Test
  void snapshotRestoresAnEqualStore() {
    KvStore s = store("a", "1", "b", "", "ü", "ẞ");
    KvStore r = store("junk", "x");
    r.restore(s.snapshot());
    assertEquals(s.snapshot(), r.snapshot());
    assertEquals(KvReply.NO_KEY, r.apply(new KvCommand.Get("junk")));
    assertEquals(new KvReply.Value("ẞ"), r.apply(new KvCommand.Get("ü")));
  }

  @Test
  void snapshotStreamsAndRestoresFromAStream() throws Exception {
    KvStore s = store("a", "1", "b", "", "ü", "ẞ", "big", "x".repeat(100_000));
    KvStore r = store("junk", "x");
    long bytes = SnapshotRoundTrip.roundTrip(s, r);
    assertTrue(bytes > 100_000, "the whole state went through the stream: " + bytes);
    assertEquals(KvReply.NO_KEY, r.apply(new KvCommand.Get("junk")));
    assertEquals(new KvReply.Value("x".repeat(100_000)), r.apply(new KvCommand.Get("big")));
  }

  private static <T> T binaryRoundTrip(Codec<T> codec, T value) throws Exception {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    codec.write(value, new DataOutputStream(buf));
    return codec.read(new DataInputStream(new ByteArrayInputStream(buf.toByteArray())));
  }

  private static final List<KvCommand> COMMANDS = List.of(new KvCommand.Get("k"), new KvCommand.Put("k", "v"),
      new KvCommand.Append("k", ""), new KvCommand.Delete("k"), new KvCommand.Cas("k", null, "v"),
      new KvCommand.Cas("k", "e", "v"), new KvCommand.Scan("a", null, 5), new KvCommand.Scan("a", "z", 0));

  private static final List<KvReply> RESULTS = List.of(new KvReply.Value("v"), KvReply.NO_KEY, KvReply.DONE,
      new KvReply.CasResult(false, null), new KvReply.CasResult(true, "old"),
      new KvReply.Scanned(List.of(new KvReply.Entry("a", "1")), true));

  @Test
  void everyCommandAndResultSurvivesTheLogEncoding() throws Exception {
    for (KvCommand c : COMMANDS) assertEquals(c, binaryRoundTrip(KvCodec.COMMANDS, c));
    for (KvReply r : RESULTS) assertEquals(r, binaryRoundTrip(KvCodec.RESULTS, r));
  }

  @Test
  void everyCommandAndReplySurvivesTheWire() throws Exception {
    ObjectMapper cbor = CBORMapper.builder().addModule(new Jdk8Module()).build();
    for (KvCommand c : COMMANDS) assertEquals(c, cbor.readValue(cbor.writeValueAsBytes(c), KvCommand.class));
    List<KvReply> replies = new java.util.ArrayList<>(RESULTS);
    replies.addAll(List.of(new KvReply.WrongLeader(Optional.of(PeerId.of("p2"))), new KvReply.WrongLeader(Optional.empty()),
        KvReply.BUSY, new KvReply.Rejected("why"), KvReply.TIMEOUT));
    for (KvReply r : replies) assertEquals(r, cbor.readValue(cbor.writeValueAsBytes(r), KvReply.class));
  }

  @Test
  void limitsRejectMalformedAndOversizedInput() {
    KvLimits limits = new KvLimits(4, 8, 100);
    assertTrue(limits.check(new KvCommand.Put("k", "v")).isEmpty());
    assertTrue(limits.check(new KvCommand.Scan("", null, 0)).isEmpty());
    assertEquals("empty key", limits.check(new KvCommand.Get("")).orElseThrow().reason());
    assertEquals("missing key", limits.check(new KvCommand.Get(null)).orElseThrow().reason());
    assertEquals("key longer than 4 bytes", limits.check(new KvCommand.Get("abcde")).orElseThrow().reason());
    assertEquals("missing value", limits.check(new KvCommand.Put("k", null)).orElseThrow().reason());
    assertEquals("value larger than 8 bytes", limits.check(new KvCommand.Append("k", "123456789")).orElseThrow().reason());
    assertEquals("scan limit above 100", limits.check(new KvCommand.Scan("a", null, 101)).orElseThrow().reason());
  }
}
