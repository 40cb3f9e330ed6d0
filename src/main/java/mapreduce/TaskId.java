package mapreduce;

import wire.CborSerializable;

/** One task of a job: map task {@code index} reads input file {@code index}; reduce task {@code index} writes {@code mr-out-index}. */
public record TaskId(Kind kind, int index) implements CborSerializable {
  public enum Kind { MAP, REDUCE }

  public static TaskId map(int index) {
    return new TaskId(Kind.MAP, index);
  }

  public static TaskId reduce(int index) {
    return new TaskId(Kind.REDUCE, index);
  }

  /** One stable line for logs and test failures: {@code map 3}, {@code reduce 7}. */
  public String describe() {
    return (kind == Kind.MAP ? "map " : "reduce ") + index;
  }
}
