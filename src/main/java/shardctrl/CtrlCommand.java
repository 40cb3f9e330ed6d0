package shardctrl;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import wire.CborSerializable;

/** The operations of the shard controller (the lab's Join, Leave, Move and Query). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CtrlCommand.Join.class, name = "Join"),
  @JsonSubTypes.Type(value = CtrlCommand.Leave.class, name = "Leave"),
  @JsonSubTypes.Type(value = CtrlCommand.Move.class, name = "Move"),
  @JsonSubTypes.Type(value = CtrlCommand.Query.class, name = "Query"),
})
public sealed interface CtrlCommand extends CborSerializable {

  /** Whether the command only reads. */
  @JsonIgnore
  default boolean isRead() {
    return false;
  }

  /**
   * Why the command is malformed whatever the configuration (checked before it reaches the log,
   * and again when applied), or empty if it is well formed.
   */
  Optional<CtrlReply> malformed(int nShards);

  /**
   * Adds the groups (gid to its servers) and rebalances: {@link CtrlReply.Config} with the new
   * configuration. Refused if a gid is 0 or negative or already a group, or a group has no servers
   * (or a blank or over-long server name).
   */
  record Join(SortedMap<Integer, List<String>> groups) implements CtrlCommand {
    public Join {
      TreeMap<Integer, List<String>> copy = new TreeMap<>();
      groups.forEach((gid, servers) -> copy.put(gid, List.copyOf(servers)));
      groups = java.util.Collections.unmodifiableSortedMap(copy);
    }

    /** Longest server name a group may list. */
    public static final int MAX_SERVER_NAME = 1024;

    private static boolean invalidServer(String s) {
      return s == null || s.isBlank() || s.length() > MAX_SERVER_NAME;
    }

    /** From any map: the order of its entries does not matter. */
    public static Join of(Map<Integer, List<String>> groups) {
      return new Join(new TreeMap<>(groups));
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (groups.isEmpty()) return Optional.of(new CtrlReply.EmptyRequest());
      for (var e : groups.entrySet()) {
        if (e.getKey() <= 0) return Optional.of(new CtrlReply.InvalidGid(e.getKey()));
        if (e.getValue().isEmpty() || e.getValue().stream().anyMatch(Join::invalidServer)) {
          return Optional.of(new CtrlReply.InvalidServers(e.getKey()));
        }
      }
      return Optional.empty();
    }
  }

  /** Removes the groups and rebalances: {@link CtrlReply.Config}. Refused if a gid is not a group. */
  record Leave(SortedSet<Integer> gids) implements CtrlCommand {
    public Leave {
      gids = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(gids));
    }

    public static Leave of(Integer... gids) {
      return new Leave(new TreeSet<>(List.of(gids)));
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (gids.isEmpty()) return Optional.of(new CtrlReply.EmptyRequest());
      for (int gid : gids) if (gid <= 0) return Optional.of(new CtrlReply.InvalidGid(gid));
      return Optional.empty();
    }
  }

  /**
   * Puts {@code shard} on group {@code gid}, without rebalancing the others: {@link
   * CtrlReply.Config}. Refused if the shard is out of range or the gid is not a group.
   */
  record Move(int shard, int gid) implements CtrlCommand {
    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      if (shard < 0 || shard >= nShards) return Optional.of(new CtrlReply.ShardOutOfRange(shard, nShards));
      if (gid <= 0) return Optional.of(new CtrlReply.InvalidGid(gid));
      return Optional.empty();
    }
  }

  /**
   * Configuration {@code num}; the latest one if {@code num} is -1 or past the latest:
   * {@link CtrlReply.Config}. A number below -1 is refused.
   */
  record Query(long num) implements CtrlCommand {
    public static final Query LATEST = new Query(-1);

    @Override
    public boolean isRead() {
      return true;
    }

    @Override
    public Optional<CtrlReply> malformed(int nShards) {
      return num < -1 ? Optional.of(new CtrlReply.InvalidConfigNum(num)) : Optional.empty();
    }
  }
}
