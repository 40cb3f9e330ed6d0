package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The shipped logback.xml: text by default with the replica as {@code [g1 p2 t5]} (%replica), JSON
 * lines with group, peer and term from the MDC under RAFTKV_LOG_FORMAT=json.
 */
class JsonLogsTest {
  private static Logger root(String format) throws Exception {
    LoggerContext ctx = new LoggerContext();
    if (format != null) ctx.putProperty("RAFTKV_LOG_FORMAT", format);
    JoranConfigurator c = new JoranConfigurator();
    c.setContext(ctx);
    URL config = JsonLogsTest.class.getClassLoader().getResource("logback.xml");
    assertNotNull(config, "logback.xml on the classpath");
    c.doConfigure(config);
    return ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  @Test
  void textIsTheDefault() throws Exception {
    Logger root = root(null);
    assertNotNull(root.getAppender("text"));
    assertNull(root.getAppender("json"));
  }

  private static String encode(Logger root, String appender, Map<String, String> mdc) {
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> out = (OutputStreamAppender<ILoggingEvent>) root.getAppender(appender);
    LoggingEvent e = new LoggingEvent(JsonLogsTest.class.getName(), root.getLoggerContext().getLogger("raft.peer.RaftPeer"),
        Level.WARN, "term {} started", null, new Object[] {7});
    e.setMDCPropertyMap(mdc);
    return new String(out.getEncoder().encode(e), StandardCharsets.UTF_8);
  }

  @Test
  void textLinesShowTheReplicaFromTheMdc() throws Exception {
    Logger root = root(null);
    String line = encode(root, "text", Map.of("groupId", "g1", "peerId", "p2", "term", "5"));
    assertTrue(line.endsWith(" WARN  raft.peer.RaftPeer - [g1 p2 t5] term 7 started" + System.lineSeparator()), line);
    line = encode(root, "text", Map.of("groupId", "g1", "peerId", "p2"));
    assertTrue(line.endsWith(" - [g1 p2] term 7 started" + System.lineSeparator()), "an actor's line has no term: " + line);
    line = encode(root, "text", Map.of());
    assertTrue(line.endsWith(" - term 7 started" + System.lineSeparator()), "outside a replica, no brackets: " + line);
    line = encode(root, "text", Map.of("akkaSource", "akka://x/user/y"));
    assertTrue(line.endsWith(" - term 7 started" + System.lineSeparator()), "other MDC keys are not the replica: " + line);
  }

  @Test
  void jsonLinesCarryGroupPeerAndTermFromTheMdc() throws Exception {
    Logger root = root("json");
    assertNull(root.getAppender("text"));
    String line = encode(root, "json", Map.of("groupId", "g1", "peerId", "p2", "term", "5"));
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals("term 7 started", n.path("message").asText(), line);
    assertEquals("WARN", n.path("level").asText(), line);
    assertEquals("raft.peer.RaftPeer", n.path("logger_name").asText(), line);
    assertEquals("g1", n.path("group").asText(), line);
    assertEquals("p2", n.path("peer").asText(), line);
    assertEquals("5", n.path("term").asText(), line);
    assertTrue(n.path("groupId").isMissingNode(), "renamed, not doubled: " + line);
    assertEquals(1, line.strip().split("\n").length, "one line per event: " + line);
  }
}
