package raft;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Objects;

/** The name of one Raft peer, stable across restarts (e.g. {@code p1}). Used in every log line. */
public record PeerId(String id) implements Comparable<PeerId> {
  public PeerId {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) throw new IllegalArgumentException("peer id must not be blank");
  }

  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static PeerId of(String id) {
    return new PeerId(id);
  }

  @JsonValue
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
