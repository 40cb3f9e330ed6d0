package raft;

/**
 * A value with one stable line for logs. Pass the value itself as a log argument: a logger calls
 * {@link #describe()} only for a line that is on, so a line that is off builds no string.
 */
public interface Describable {
  String describe();
}
