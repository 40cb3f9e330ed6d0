package raft.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;

/** Writes the core's lines to SLF4J (logger {@code raft.core}) prefixed {@code [group peer tTerm]}. */
public final class Slf4jRaftLogger implements RaftLogger {
  private static final Logger LOG = LoggerFactory.getLogger("raft.core");
  private final String prefix;

  public Slf4jRaftLogger(GroupId group, PeerId peer) {
    this.prefix = "[" + group + " " + peer + " t";
  }

  @Override
  public boolean isDebugEnabled() {
    return LOG.isDebugEnabled();
  }

  @Override
  public void debug(long term, String message) {
    if (LOG.isDebugEnabled()) LOG.debug("{}{}] {}", prefix, term, message);
  }

  @Override
  public void info(long term, String message) {
    LOG.info("{}{}] {}", prefix, term, message);
  }

  @Override
  public void warn(long term, String message) {
    LOG.warn("{}{}] {}", prefix, term, message);
  }
}
