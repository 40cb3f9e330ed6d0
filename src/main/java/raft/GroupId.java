package raft;

import java.util.Objects;

/** The name of one Raft group (one replicated log), e.g. {@code g1}. Used in every log line. */
public record GroupId(String id) {
  public GroupId {
    Objects.requireNonNull(id, "id");
    if (id.isBlank()) throw new IllegalArgumentException("group id must not be blank");
  }
  public static GroupId of(String id) {
    return new GroupId(id);
  }
  public String id() {
    return id;
  }

  @Override
  public String toString() {
    return id;
  }
}
