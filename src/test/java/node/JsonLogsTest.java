package node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

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

/** The shipped logback.xml: text by default, JSON lines with group and peer from the MDC under RAFTKV_LOG_FORMAT=json. */
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

  @Test
  void jsonLinesCarryGroupAndPeerFromTheMdc() throws Exception {
    Logger root = root("json");
    assertNull(root.getAppender("text"));
    @SuppressWarnings("unchecked")
    OutputStreamAppender<ILoggingEvent> json = (OutputStreamAppender<ILoggingEvent>) root.getAppender("json");
    LoggingEvent e = new LoggingEvent(JsonLogsTest.class.getName(), root.getLoggerContext().getLogger("raft.peer.RaftPeer"),
        Level.WARN, "term {} started", null, new Object[] {7});
    e.setMDCPropertyMap(Map.of("groupId", "g1", "peerId", "p2"));
    String line = new String(json.getEncoder().encode(e), StandardCharsets.UTF_8);
    JsonNode n = new ObjectMapper().readTree(line);
    assertEquals("term 7 started", n.path("message").asText(), line);
    assertEquals("WARN", n.path("level").asText(), line);
    assertEquals("raft.peer.RaftPeer", n.path("logger_name").asText(), line);
    assertEquals("g1", n.path("group").asText(), line);
    assertEquals("p2", n.path("peer").asText(), line);
    assertEquals(1, line.strip().split("\n").length, "one line per event: " + line);
  }
}
