package hosting;

import java.util.Objects;
import raft.GroupId;
import raft.PeerId;

/**
 * One replica of one Raft group: the identity Cluster Sharding hosts as one entity (and one shard).
 * The entity id is {@code <group>|<replica>}, e.g. {@code g3|r7}. Replica ids are never reused: a
 * replica that was removed keeps its id retired forever, and a new replica gets a fresh one.
 */
public record ReplicaKey(GroupId group, PeerId replica) implements Comparable<ReplicaKey> {
  static final char SEPARATOR = '|';

  public ReplicaKey {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(replica, "replica");
    if (group.id().indexOf(SEPARATOR) >= 0 || replica.id().indexOf(SEPARATOR) >= 0)
      throw new IllegalArgumentException("group and replica ids must not contain '" + SEPARATOR + "': group "
          + group + ", replica " + replica);
  }

  public static ReplicaKey of(String group, String replica) {
    return new ReplicaKey(GroupId.of(group), PeerId.of(replica));
  }

  /** The Cluster Sharding entity id (also its shard id): {@code <group>|<replica>}. */
  public String entityId() {
    return group.id() + SEPARATOR + replica.id();
  }

  /** The key an entity id names; {@link IllegalArgumentException} if it is not {@code <group>|<replica>}. */
  public static ReplicaKey parse(String entityId) {
    int bar = entityId.indexOf(SEPARATOR);
    if (bar <= 0 || bar == entityId.length() - 1 || entityId.indexOf(SEPARATOR, bar + 1) >= 0)
      throw new IllegalArgumentException("not a replica entity id (want <group>|<replica>): '" + entityId + "'");
    return of(entityId.substring(0, bar), entityId.substring(bar + 1));
  }

  @Override
  public int compareTo(ReplicaKey o) {
    int c = group.id().compareTo(o.group.id());
    return c != 0 ? c : replica.compareTo(o.replica);
  }

  @Override
  public String toString() {
    return entityId();
  }
}
