package raft.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The events of one logger at a chosen level, for as long as the test holds it open; the level is restored on close. */
final class CapturedLines implements AutoCloseable {
  private final Logger logger;
  private final Level oldLevel;
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>() {
    @Override
    protected void append(ILoggingEvent e) {
      // The MDC is read lazily; read it now, on the logging thread, as a real appender would.
      e.prepareForDeferredProcessing();
      super.append(e);
    }
  };

  CapturedLines(String loggerName, Level level) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    oldLevel = logger.getLevel();
    logger.setLevel(level);
    appender.start();
    logger.addAppender(appender);
  }

  org.slf4j.Logger logger() {
    return logger;
  }

  List<ILoggingEvent> events() {
    synchronized (appender) {
      return List.copyOf(appender.list);
    }
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    appender.stop();
    logger.setLevel(oldLevel);
  }
}
