package shardctrl;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Where the shards go when the groups change (Join, Leave). Pure and deterministic: the result
 * depends only on the current placement, the new set of gids and the set of moved shards, never on
 * the iteration order of a hash map (every collection walked here is sorted), so every replica
 * computes the same configuration.
 *
 * <p>Properties (checked by {@code RebalancerPropertyTest} over random histories):
 *
 * <ul>
 *   <li><b>Balance.</b> Every shard is on one of the groups (gid 0 only when there is none), and the
 *       shard counts of any two groups differ by at most 1.
 *   <li><b>Minimal movement.</b> Only shards that must move move: those of departed groups, and
 *       from groups above their share exactly the excess. Of G groups, {@code nShards % G} get the
 *       larger share {@code base + 1} ({@code base = nShards / G}); they are chosen among the
 *       groups holding more than {@code base}, which keeps the most shards in place of any
 *       balanced placement. From a balanced configuration, adding or removing one group
 *       therefore moves at most {@code ceil(nShards / G)} shards (G the larger of the two group
 *       counts): exactly the shards the new group receives, or the departed group held.
 *   <li><b>Moves stick.</b> A shard placed by {@code Move} is "pinned" to its group. The lab says
 *       it stays there "until a Join/Leave rebalances"; the issue says a Move is "never undone".
 *       Our reading, which satisfies both: a Join or Leave moves only what balance requires
 *       (above); a group that must give up shards gives up unpinned ones first; and where
 *       several groups could take the larger share with equally few moves, groups holding more
 *       than {@code base} pinned shards take it first. So a pinned shard moves only if its group
 *       departs or holds more pinned shards than its new share, and the pins given up are the
 *       fewest that any balanced placement with the fewest moves allows.
 * </ul>
 *
 * <p>A {@code Move} itself does not rebalance: it may leave the placement unbalanced until the next
 * Join or Leave, as in the lab.
 */
public final class Rebalancer {
  private Rebalancer() {}

  /**
   * The placement for the groups {@code gids}, from {@code current} (shard to gid), moving as few
   * shards as balance allows. {@code pinned} are the shards placed by a Move.
   *
   * @return shard to gid, the same size as {@code current}; all {@link ShardConfig#NO_GROUP} if
   *     {@code gids} is empty
   */
  public static List<Integer> rebalance(List<Integer> current, SortedSet<Integer> gids, Set<Integer> pinned) {
    int n = current.size();
    List<Integer> out = new ArrayList<>(current);
    if (gids.isEmpty()) {
      for (int s = 0; s < n; s++) out.set(s, ShardConfig.NO_GROUP);
      return out;
    }
    TreeMap<Integer, List<Integer>> held = new TreeMap<>();
    for (int gid : gids) held.put(gid, new ArrayList<>());
    TreeSet<Integer> free = new TreeSet<>();
    for (int s = 0; s < n; s++) {
      List<Integer> shards = held.get(current.get(s));
      if (shards == null) free.add(s); // unassigned, or its group left
      else shards.add(s);
    }
    TreeMap<Integer, Integer> target = targets(held, pinned, n);
    for (var e : held.entrySet()) {
      List<Integer> shards = e.getValue();
      int excess = shards.size() - target.get(e.getKey());
      if (excess <= 0) continue;
      // Give up unpinned shards first, highest shard number first; pinned ones only if need be.
      List<Integer> order = new ArrayList<>(shards);
      order.sort(Comparator.comparing((Integer s) -> pinned.contains(s)).thenComparing(Comparator.reverseOrder()));
      for (int i = 0; i < excess; i++) {
        free.add(order.get(i));
        shards.remove(order.get(i));
      }
    }
    for (var e : held.entrySet()) {
      int deficit = target.get(e.getKey()) - e.getValue().size();
      for (int i = 0; i < deficit; i++) out.set(free.pollFirst(), e.getKey()); // lowest free shard first
    }
    if (!free.isEmpty()) throw new IllegalStateException("unplaced shards " + free); // targets sum to n
    return out;
  }

  /**
   * Each group's share: {@code base = n / G}, plus one for {@code n % G} groups. Those go first to
   * groups holding more than {@code base} (each such group keeps one more shard: fewest moves),
   * among them first to groups with more than {@code base} pinned shards (each keeps one more
   * pin), then by count, pinned count (both descending) and gid.
   */
  private static TreeMap<Integer, Integer> targets(TreeMap<Integer, List<Integer>> held, Set<Integer> pinned, int n) {
    int g = held.size();
    int base = n / g;
    List<Integer> order = new ArrayList<>(held.keySet());
    Comparator<Integer> larger = Comparator.comparing((Integer gid) -> held.get(gid).size() > base)
        .thenComparing(gid -> pinnedCount(held.get(gid), pinned) > base)
        .thenComparing(gid -> held.get(gid).size())
        .thenComparing(gid -> pinnedCount(held.get(gid), pinned))
        .reversed()
        .thenComparing(Comparator.naturalOrder());
    order.sort(larger);
    TreeMap<Integer, Integer> target = new TreeMap<>();
    for (int i = 0; i < g; i++) target.put(order.get(i), base + (i < n % g ? 1 : 0));
    return target;
  }

  private static int pinnedCount(Collection<Integer> shards, Set<Integer> pinned) {
    int c = 0;
    for (int s : shards) if (pinned.contains(s)) c++;
    return c;
  }

  /**
   * The pins that survive a rebalance from {@code before} to {@code after}: a pinned shard stays
   * pinned while it stays on its group.
   */
  public static SortedSet<Integer> keptPins(List<Integer> before, List<Integer> after, Set<Integer> pinned) {
    TreeSet<Integer> out = new TreeSet<>();
    for (int s : pinned) if (before.get(s).equals(after.get(s))) out.add(s);
    return out;
  }
}
