package raft.logging;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.slf4j.event.Level;
import raft.Describable;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftLogger;

/**
 * Writes the core's lines to SLF4J (logger {@code raft.core} unless given another) with the
 * replica in the MDC ({@link ReplicaMdc#GROUP}, {@link ReplicaMdc#PEER}, {@link ReplicaMdc#TERM}).
 * It puts them around each line itself and restores the previous values after, so lines are
 * stamped inside an actor, in the simulator and in a test alike. A line whose level is off costs
 * one level check: no MDC work, no formatting, no {@code describe()}.
 */
public final class Slf4jRaftLogger implements RaftLogger {
  private final Logger log;
  private final String group;
  private final String peer;

  public Slf4jRaftLogger(GroupId group, PeerId peer) {
    this(LoggerFactory.getLogger("raft.core"), group, peer);
  }

  /** Lines of {@code log} stamped like the core's; for the actor around the core ({@code RaftPeer}). */
  public Slf4jRaftLogger(Logger log, GroupId group, PeerId peer) {
    this.log = log;
    this.group = group.id();
    this.peer = peer.id();
  }

  @Override
  public boolean isDebugEnabled() {
    return log.isDebugEnabled();
  }

  @Override
  public void debug(long term, String format, Object... args) {
    if (log.isDebugEnabled()) write(Level.DEBUG, term, format, args);
  }

  @Override
  public void info(long term, String format, Object... args) {
    if (log.isInfoEnabled()) write(Level.INFO, term, format, args);
  }

  @Override
  public void warn(long term, String format, Object... args) {
    if (log.isWarnEnabled()) write(Level.WARN, term, format, args);
  }

  /** Not in the core's port (the core never fails I/O): for the actor around it. A last Throwable argument is the cause. */
  public void error(long term, String format, Object... args) {
    if (log.isErrorEnabled()) write(Level.ERROR, term, format, args);
  }

  private void write(Level level, long term, String format, Object[] args) {
    String oldGroup = MDC.get(ReplicaMdc.GROUP);
    String oldPeer = MDC.get(ReplicaMdc.PEER);
    String oldTerm = MDC.get(ReplicaMdc.TERM);
    MDC.put(ReplicaMdc.GROUP, group);
    MDC.put(ReplicaMdc.PEER, peer);
    MDC.put(ReplicaMdc.TERM, Long.toString(term));
    try {
      Object[] a = described(args);
      switch (level) {
        case DEBUG -> log.debug(format, a);
        case INFO -> log.info(format, a);
        case WARN -> log.warn(format, a);
        default -> log.error(format, a);
      }
    } finally {
      restore(ReplicaMdc.GROUP, oldGroup);
      restore(ReplicaMdc.PEER, oldPeer);
      restore(ReplicaMdc.TERM, oldTerm);
    }
  }

  /** The arguments with each {@link Describable} as its line; a copy, so the caller's array is left as it was. */
  static Object[] described(Object[] args) {
    if (args == null) return null;
    Object[] out = args;
    for (int i = 0; i < args.length; i++) {
      if (args[i] instanceof Describable d) {
        if (out == args) out = args.clone();
        out[i] = d.describe();
      }
    }
    return out;
  }

  private static void restore(String key, String old) {
    if (old == null) MDC.remove(key);
    else MDC.put(key, old);
  }
}
