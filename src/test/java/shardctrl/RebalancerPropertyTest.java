package shardctrl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import testkit.SeedExtension;

/**
 * The rebalancer over random Join/Leave/Move histories (and some refused commands), on the state
 * machine the servers run: balance, minimal movement, the lab's bound, sticky Moves, refusals that
 * change nothing, and determinism (the same history built from differently ordered maps, and a
 * replica restored from a snapshot midway, give the same configurations).
 */
@ExtendWith(SeedExtension.class)
class RebalancerPropertyTest {
  private static final int HISTORIES = 300;
  private static final int STEPS = 120;

  @Test
  void randomJoinLeaveMoveHistories(long seed) {
    System.out.println("RebalancerPropertyTest seed=" + seed);
    SplittableRandom random = new SplittableRandom(seed);
    int checkedBounds = 0;
    for (int h = 0; h < HISTORIES; h++) {
      int nShards = random.nextInt(4) == 0 ? 1 + random.nextInt(20) : 10;
      checkedBounds += history(random.split(), nShards, "history " + h + " (seed " + seed + ", " + nShards + " shards)");
    }
    assertTrue(checkedBounds > HISTORIES, "the ceil(N/G) bound was exercised: " + checkedBounds);
  }

  /** Runs one history; returns how many single-group changes from a balanced config it checked against ceil(N/G). */
  private static int history(SplittableRandom random, int nShards, String name) {
    CtrlStateMachine a = new CtrlStateMachine(nShards);
    CtrlStateMachine b = new CtrlStateMachine(nShards);
    CtrlStateMachine restored = null;
    int restoreAt = random.nextInt(STEPS);
    int bounds = 0;
    for (int step = 0; step < STEPS; step++) {
      String where = name + " step " + step;
      ShardConfig before = a.latest();
      TreeSet<Integer> pinsBefore = new TreeSet<>(a.pinned());
      Step s = randomStep(random, before, nShards);
      CtrlReply ra = a.apply(s.command(true));
      CtrlReply rb = b.apply(s.command(false));
      assertEquals(ra, rb, where + ": replicas given the same history in another map order differ");
      if (restored != null) assertEquals(ra, restored.apply(s.command(true)), where + ": the restored replica differs");
      if (step == restoreAt) {
        restored = new CtrlStateMachine(nShards);
        restored.restore(a.snapshot());
        assertEquals(a.history(), restored.history(), where + ": snapshot round trip");
        assertEquals(a.pinned(), restored.pinned(), where + ": snapshot round trip of the pins");
      }
      if (s.valid()) {
        ShardConfig after = assertInstanceOf(CtrlReply.Config.class, ra, where + " " + s).config();
        assertEquals(before.num() + 1, after.num(), where);
        if (s.cmd() instanceof CtrlCommand.Move m) {
          checkMove(where, before, after, m);
        } else {
          checkBalanced(where, after);
          checkMinimal(where, before, after);
          checkSticky(where, before, after, pinsBefore);
          if (isBalanced(before) && Math.abs(before.groups().size() - after.groups().size()) == 1) {
            int g = Math.max(before.groups().size(), after.groups().size());
            int bound = (nShards + g - 1) / g;
            assertTrue(moved(before, after) <= bound,
                () -> where + ": " + moved(before, after) + " moves > ceil(N/G) = " + bound + "\n"
                    + before.describe() + "\n" + after.describe());
            bounds++;
          }
        }
      } else {
        assertInstanceOf(CtrlReply.Refusal.class, ra, where + " " + s);
        assertEquals(before, a.latest(), where + ": a refused command changed the configuration");
        assertEquals(pinsBefore, a.pinned(), where + ": a refused command changed the pins");
      }
    }
    return bounds;
  }

  /** A command as two replicas receive it: the Join map filled in two different orders. */
  private record Step(CtrlCommand cmd, Map<Integer, List<String>> join, boolean valid) {
    CtrlCommand command(boolean forward) {
      if (join == null) return cmd;
      List<Integer> keys = new ArrayList<>(join.keySet());
      if (!forward) Collections.reverse(keys);
      Map<Integer, List<String>> m = forward ? new HashMap<>() : new LinkedHashMap<>();
      for (int k : keys) m.put(k, join.get(k));
      return CtrlCommand.Join.of(m);
    }
  }

  private static Step randomStep(SplittableRandom random, ShardConfig cur, int nShards) {
    List<Integer> gids = new ArrayList<>(cur.groups().keySet());
    int kind = random.nextInt(20);
    if (kind == 0) { // refused: join of a gid in use, leave or move of an unknown one, bad shard or gid
      return refused(random, cur, nShards);
    }
    boolean join = gids.isEmpty() || kind < 9 && gids.size() < 25;
    if (join) {
      Map<Integer, List<String>> m = new LinkedHashMap<>();
      int k = random.nextInt(5) == 0 ? 1 + random.nextInt(4) : 1;
      while (m.size() < k) {
        int gid = 1 + random.nextInt(40);
        if (!cur.groups().containsKey(gid)) m.put(gid, List.of("s" + gid + "a", "s" + gid + "b"));
      }
      return new Step(CtrlCommand.Join.of(m), m, true);
    }
    if (kind < 15) {
      Collections.shuffle(gids, new java.util.Random(random.nextLong()));
      int k = random.nextInt(5) == 0 ? 1 + random.nextInt(gids.size()) : 1;
      return new Step(new CtrlCommand.Leave(new TreeSet<>(gids.subList(0, k))), null, true);
    }
    return new Step(new CtrlCommand.Move(random.nextInt(nShards), gids.get(random.nextInt(gids.size()))), null, true);
  }

  private static Step refused(SplittableRandom random, ShardConfig cur, int nShards) {
    int unknown = 100 + random.nextInt(100); // gids in use are below 41
    List<Integer> gids = new ArrayList<>(cur.groups().keySet());
    switch (random.nextInt(6)) {
      case 0:
        if (!gids.isEmpty()) {
          Map<Integer, List<String>> m = new LinkedHashMap<>();
          m.put(unknown, List.of("x"));
          m.put(gids.get(random.nextInt(gids.size())), List.of("y"));
          return new Step(CtrlCommand.Join.of(m), m, false);
        }
        return new Step(CtrlCommand.Join.of(Map.of(unknown, List.of())), Map.of(unknown, List.of()), false);
      case 1:
        return new Step(CtrlCommand.Leave.of(unknown), null, false);
      case 2:
        return new Step(new CtrlCommand.Move(random.nextInt(nShards), unknown), null, false);
      case 3:
        return new Step(new CtrlCommand.Move(random.nextBoolean() ? -1 : nShards + random.nextInt(3), 1), null, false);
      case 4:
        return new Step(new CtrlCommand.Move(0, -random.nextInt(3)), null, false);
      default:
        Map<Integer, List<String>> bad = Map.of(-random.nextInt(3), List.of("z"));
        return new Step(CtrlCommand.Join.of(bad), bad, false);
    }
  }

  static boolean isBalanced(ShardConfig c) {
    if (c.groups().isEmpty()) return true;
    if (c.shards().contains(ShardConfig.NO_GROUP)) return false;
    var counts = c.counts().values();
    return Collections.max(counts) - Collections.min(counts) <= 1;
  }

  static void checkBalanced(String where, ShardConfig c) {
    if (c.groups().isEmpty()) {
      assertTrue(c.shards().stream().allMatch(g -> g == ShardConfig.NO_GROUP), () -> where + ": " + c.describe());
      return;
    }
    assertTrue(c.shards().stream().allMatch(c.groups()::containsKey), () -> where + ": a shard off the groups: " + c.describe());
    assertTrue(isBalanced(c), () -> where + ": unbalanced " + c.describe());
  }

  static int moved(ShardConfig before, ShardConfig after) {
    int m = 0;
    for (int s = 0; s < before.nShards(); s++) if (before.gidOf(s) != after.gidOf(s)) m++;
    return m;
  }

  /**
   * The fewest moves any balanced placement of the new groups needs, computed independently of
   * the rebalancer: with G groups, r = N mod G of them get base + 1 = N / G + 1 shards, the others
   * base. Group g keeps at most min(c_g, share); it gains one more kept shard from the larger share
   * only if c_g > base, so the most shards kept is sum min(c_g, base) + min(r, #{g : c_g > base}).
   */
  static int minimalMoves(ShardConfig before, java.util.Set<Integer> newGroups) {
    int n = before.nShards();
    if (newGroups.isEmpty()) {
      return (int) before.shards().stream().filter(g -> g != ShardConfig.NO_GROUP).count();
    }
    int g = newGroups.size();
    int base = n / g;
    int r = n % g;
    int kept = 0;
    int above = 0;
    for (int gid : newGroups) {
      int c = before.shardsOf(gid).size();
      kept += Math.min(c, base);
      if (c > base) above++;
    }
    return n - kept - Math.min(r, above);
  }

  static void checkMinimal(String where, ShardConfig before, ShardConfig after) {
    int min = minimalMoves(before, after.groups().keySet());
    assertEquals(min, moved(before, after),
        () -> where + ": not a minimal transfer\n" + before.describe() + "\n" + after.describe());
  }

  /**
   * A pinned shard leaves its (remaining) group only if everything that group kept was pinned
   * there, and no balanced placement with the fewest moves gives up fewer pins. That minimum,
   * computed independently: pins on departed groups all move; a remaining group g with p_g pinned
   * shards and share t_g loses max(0, p_g - t_g); a larger share (base + 1) saves a pin exactly
   * where p_g > base, and such a group also has c_g > base, so giving it the larger share costs no
   * extra move. With r = N mod G larger shares: sum max(0, p_g - base) - min(r, #{g : p_g > base}).
   */
  static void checkSticky(String where, ShardConfig before, ShardConfig after, TreeSet<Integer> pins) {
    int lost = 0;
    int minLost = 0;
    java.util.Map<Integer, Integer> pinsOn = new java.util.TreeMap<>();
    for (int s : pins) {
      if (after.gidOf(s) != before.gidOf(s)) lost++;
      if (after.groups().containsKey(before.gidOf(s))) pinsOn.merge(before.gidOf(s), 1, Integer::sum);
      else minLost++;
    }
    if (!after.groups().isEmpty()) {
      int base = before.nShards() / after.groups().size();
      int r = before.nShards() % after.groups().size();
      int over = 0;
      for (int p : pinsOn.values()) {
        minLost += Math.max(0, p - base);
        if (p > base) over++;
      }
      minLost -= Math.min(r, over);
    }
    int l = lost;
    int ml = minLost;
    assertEquals(ml, l, () -> where + ": gave up " + l + " pinned shards, the fewest possible is " + ml + "\n"
        + before.describe() + "\n" + after.describe() + " pins " + pins);
    for (int s : pins) {
      int gid = before.gidOf(s);
      if (!after.groups().containsKey(gid) || after.gidOf(s) == gid) continue;
      for (int kept : after.shardsOf(gid)) {
        assertTrue(pins.contains(kept) && before.gidOf(kept) == gid,
            () -> where + ": moved pinned shard " + s + " off " + gid + " while it kept unpinned shard " + kept
                + "\n" + before.describe() + "\n" + after.describe() + " pins " + pins);
      }
    }
  }

  static void checkMove(String where, ShardConfig before, ShardConfig after, CtrlCommand.Move m) {
    for (int s = 0; s < before.nShards(); s++) {
      int want = s == m.shard() ? m.gid() : before.gidOf(s);
      assertEquals(want, after.gidOf(s), where + ": Move changed shard " + s);
    }
    assertEquals(before.groups(), after.groups(), where);
  }
}
