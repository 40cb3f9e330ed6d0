package raft.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import raft.GroupId;
import raft.PeerId;
import raft.message.Membership;

/** The adapter stamps each line with group, peer and term in the MDC, outside any actor, and leaves the MDC as it found it. */
class Slf4jRaftLoggerTest {
  private static final String LOGGER = "raft.logging.Slf4jRaftLoggerTest.lines";
  private static final PeerId P2 = PeerId.of("p2");

  @AfterEach
  void clearMdc() {
    MDC.clear();
  }

  private static ILoggingEvent only(CapturedLines lines) {
    List<ILoggingEvent> events = lines.events();
    assertEquals(1, events.size(), events.toString());
    return events.get(0);
  }

  @Test
  void aLineCarriesGroupPeerAndTermInTheMdc() {
    try (CapturedLines lines = new CapturedLines(LOGGER, Level.DEBUG)) {
      new Slf4jRaftLogger(lines.logger(), GroupId.of("g1"), P2).info(5, "{} became leader at term {}", P2, 5L);
      ILoggingEvent e = only(lines);
      assertEquals("p2 became leader at term 5", e.getFormattedMessage());
      assertEquals(Level.INFO, e.getLevel());
      assertEquals(Map.of("groupId", "g1", "peerId", "p2", "term", "5"), e.getMDCPropertyMap());
    }
    assertNull(MDC.get("term"), "nothing left behind");
    assertNull(MDC.get("groupId"));
    assertNull(MDC.get("peerId"));
  }

  @Test
  void thePreviousMdcIsRestored() {
    MDC.put("groupId", "outer");
    MDC.put("term", "9");
    MDC.put("akkaSource", "akka://x");
    try (CapturedLines lines = new CapturedLines(LOGGER, Level.DEBUG)) {
      new Slf4jRaftLogger(lines.logger(), GroupId.of("g1"), P2).debug(6, "{} committed up to {}", P2, 12L);
      ILoggingEvent e = only(lines);
      assertEquals(Map.of("groupId", "g1", "peerId", "p2", "term", "6", "akkaSource", "akka://x"), e.getMDCPropertyMap());
    }
    assertEquals("outer", MDC.get("groupId"));
    assertEquals("9", MDC.get("term"));
    assertNull(MDC.get("peerId"), "absent before, absent after");
    assertEquals("akka://x", MDC.get("akkaSource"));
  }

  @Test
  void describableArgumentsAreDescribedAndTheCallersArrayIsLeftAlone() {
    Membership m = Membership.ofVoters(Set.of(PeerId.of("p1"), P2));
    Object[] args = {P2, m};
    try (CapturedLines lines = new CapturedLines(LOGGER, Level.INFO)) {
      new Slf4jRaftLogger(lines.logger(), GroupId.of("g1"), P2).warn(2, "{} heard from no quorum of {}", args);
      assertEquals("p2 heard from no quorum of " + m.describe(), only(lines).getFormattedMessage());
    }
    assertEquals(m, args[1]);
  }

  @Test
  void anErrorKeepsItsCause() {
    try (CapturedLines lines = new CapturedLines(LOGGER, Level.INFO)) {
      new Slf4jRaftLogger(lines.logger(), GroupId.of("g1"), P2).error(3, "{} cannot write", P2, new IOException("disk full"));
      ILoggingEvent e = only(lines);
      assertEquals("p2 cannot write", e.getFormattedMessage());
      assertNotNull(e.getThrowableProxy());
      assertEquals("disk full", e.getThrowableProxy().getMessage());
      assertEquals("3", e.getMDCPropertyMap().get("term"));
    }
  }

  @Test
  void theCoreLoggerIsRaftCore() {
    try (CapturedLines lines = new CapturedLines("raft.core", Level.INFO)) {
      Slf4jRaftLogger log = new Slf4jRaftLogger(GroupId.of("g1"), P2);
      assertEquals(false, log.isDebugEnabled());
      log.debug(1, "off");
      log.info(1, "{} on", P2);
      assertEquals("p2 on", only(lines).getFormattedMessage());
    }
  }
}
