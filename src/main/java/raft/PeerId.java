package raft;

import java.util.Objects;

/** The name of one Raft peer, stable across restarts (e.g. {@code p1}). Used in every log line. */
public record PeerId(String id) implements Comparable<PeerId> {
  public PeerId {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) throw new IllegalArgumentException("peer id must not be blank");
  }
  public static PeerId of(String id) {
    return new PeerId(id);
  }
  public String id() {
    return id;
  }

  @Override
  public int compareTo(PeerId o) {
    return id.compareTo(o.id);
  }

  @Override
  public String toString() {
    return id;
  }
}
