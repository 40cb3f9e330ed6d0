package shardctrl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;
import wire.CborSerializable;

/**
 * One numbered configuration of the sharded store (the lab's {@code Config}): which replica group
 * serves each shard, and the servers of each group. Immutable; configuration {@code num} is never
 * changed once made, only followed by {@code num + 1}. Gid 0 is no group: a shard on gid 0 is
 * unassigned (only while no group exists).
 *
 * @param num the configuration's number, 0 for the initial one
 * @param shards shard index to gid; its size is the number of shards
 * @param groups gid to the group's servers, in the order they were given; sorted by gid
 */
public record ShardConfig(long num, List<Integer> shards, SortedMap<Integer, List<String>> groups)
    implements CborSerializable {

  /** Gid 0: no group. */
  public static final int NO_GROUP = 0;

  public ShardConfig {
    if (num < 0) throw new IllegalArgumentException("config num must be >= 0, was " + num);
    shards = List.copyOf(shards);
    TreeMap<Integer, List<String>> copy = new TreeMap<>();
    groups.forEach((gid, servers) -> copy.put(Objects.requireNonNull(gid), List.copyOf(servers)));
    groups = Collections.unmodifiableSortedMap(copy);
    for (int gid : shards) {
      if (gid != NO_GROUP && !groups.containsKey(gid)) {
        throw new IllegalArgumentException("shard on gid " + gid + " which is not a group of config " + num);
      }
    }
  }

  /** Configuration 0: no groups, every shard unassigned. */
  public static ShardConfig initial(int nShards) {
    if (nShards < 1) throw new IllegalArgumentException("nShards must be >= 1, was " + nShards);
    return new ShardConfig(0, Collections.nCopies(nShards, NO_GROUP), new TreeMap<>());
  }

  @JsonIgnore
  public int nShards() {
    return shards.size();
  }

  /** The gid serving {@code shard} ({@link #NO_GROUP} if none). */
  public int gidOf(int shard) {
    return shards.get(shard);
  }

  /** The shards {@code gid} serves, ascending. */
  public List<Integer> shardsOf(int gid) {
    List<Integer> out = new ArrayList<>();
    for (int s = 0; s < shards.size(); s++) if (shards.get(s) == gid) out.add(s);
    return out;
  }

  /** Shards per group, for every group (0 for a group without shards), by gid. */
  @JsonIgnore
  public SortedMap<Integer, Integer> counts() {
    TreeMap<Integer, Integer> out = new TreeMap<>();
    for (int gid : groups.keySet()) out.put(gid, 0);
    for (int gid : shards) if (gid != NO_GROUP) out.merge(gid, 1, Integer::sum);
    return out;
  }

  /** The next configuration: number + 1, the given placement and groups. */
  ShardConfig next(List<Integer> newShards, Map<Integer, List<String>> newGroups) {
    return new ShardConfig(num + 1, newShards, new TreeMap<>(newGroups));
  }

  /** One stable line for logs and test failures: {@code config 3 [1,1,2,...] groups {1=[a, b], 2=[c]}}. */
  public String describe() {
    return "config " + num + " " + shards.toString().replace(" ", "") + " groups " + groups;
  }
}
