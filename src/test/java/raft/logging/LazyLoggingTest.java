package raft.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import raft.Describable;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftLogger;

/** A line whose level is off builds nothing: no toString(), no describe(); and the core only ever passes values. */
class LazyLoggingTest {
  private static final GroupId G = GroupId.of("g1");
  private static final PeerId P = PeerId.of("p2");

  /** Counts how often a logger turned it into text. */
  private static final class Counted implements Describable {
    final AtomicInteger toStrings = new AtomicInteger();
    final AtomicInteger describes = new AtomicInteger();

    @Override
    public String describe() {
      describes.incrementAndGet();
      return "described";
    }

    @Override
    public String toString() {
      toStrings.incrementAndGet();
      return "plain";
    }
  }

  private static final Object NEVER_PRINTED = new Object() {
    @Override
    public String toString() {
      throw new AssertionError("toString() of an argument of a line that is off");
    }
  };

  @Test
  void levelsThatAreOffNeitherFormatNorDescribe() {
    try (CapturedLines lines = new CapturedLines("raft.logging.LazyLoggingTest.warnOnly", Level.WARN)) {
      RaftLogger log = new Slf4jRaftLogger(lines.logger(), G, P);
      Counted counted = new Counted();
      Object plain = new Object() {
        @Override
        public String toString() {
          counted.toStrings.incrementAndGet();
          return "plain";
        }
      };
      log.debug(3, "{} {} {}", counted, plain, NEVER_PRINTED);
      log.info(3, "{} {} {}", counted, plain, NEVER_PRINTED);
      assertEquals(0, counted.describes.get());
      assertEquals(0, counted.toStrings.get());
      assertTrue(lines.events().isEmpty(), lines.events().toString());

      // The level that is on does the work, once: describe() for a Describable, toString() otherwise.
      log.warn(3, "{} and {}", counted, plain);
      assertEquals(1, counted.describes.get());
      assertEquals(1, counted.toStrings.get());
      assertEquals(List.of("described and plain"), lines.events().stream().map(e -> e.getFormattedMessage()).toList());
    }
  }

  @Test
  void silentFormatsNothing() {
    RaftLogger.SILENT.debug(1, "{}", NEVER_PRINTED);
    RaftLogger.SILENT.info(1, "{}", NEVER_PRINTED);
    RaftLogger.SILENT.warn(1, "{}", NEVER_PRINTED);
    assertEquals(false, RaftLogger.SILENT.isDebugEnabled());
  }

  /**
   * Every logger call in raft.core passes a constant format and values: no {@code +}, no
   * {@code describe()}, no {@code String.format} among its arguments (they would run for a line
   * that is off). Read from the sources, since the compiled form of {@code +} is invisible to ArchUnit.
   */
  @Test
  void coreLoggerCallsBuildNoStrings() throws IOException {
    List<String> calls = new ArrayList<>();
    try (Stream<Path> files = Files.list(Path.of("src/main/java/raft/core"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).sorted().toList()) {
        calls.addAll(loggerCalls(f.getFileName() + ": ", Files.readString(f)));
      }
    }
    assertTrue(calls.size() >= 25, "found only " + calls.size() + " logger calls in raft.core: " + calls);
    List<String> building = calls.stream().filter(LazyLoggingTest::buildsAString).toList();
    assertEquals(List.of(), building, "logger calls in raft.core that build a string even when their level is off");
  }

  private static final Pattern CALL = Pattern.compile("logger(\\(\\))?\\.(debug|info|warn)\\(");

  /** Each {@code logger.level(...)} / {@code logger().level(...)} call's text up to its closing parenthesis. */
  static List<String> loggerCalls(String where, String source) {
    List<String> out = new ArrayList<>();
    Matcher m = CALL.matcher(source);
    while (m.find()) {
      int depth = 1;
      int i = m.end();
      boolean inString = false;
      for (; i < source.length() && depth > 0; i++) {
        char c = source.charAt(i);
        if (inString) {
          if (c == '\\') i++;
          else if (c == '"') inString = false;
        } else if (c == '"') inString = true;
        else if (c == '(') depth++;
        else if (c == ')') depth--;
      }
      out.add(where + source.substring(m.start(), i).replaceAll("\\s+", " "));
    }
    return out;
  }

  static boolean buildsAString(String call) {
    String code = call.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"");
    return code.contains("+") || code.contains(".describe()") || code.contains("String.format")
        || code.contains(".formatted(");
  }

  @Test
  void theSourceCheckCatchesConcatenation() {
    List<String> calls = loggerCalls("", "n.logger().info(n.term(), n.id() + \" became \" + x);\n"
        + "logger.debug(term, \"{} rejected {} (a + b)\", self, m.describe());\n"
        + "logger.warn(term, \"{} is fine, even with + in the text\", self);");
    assertEquals(3, calls.size(), calls.toString());
    assertEquals(List.of(true, true, false), calls.stream().map(LazyLoggingTest::buildsAString).toList());
  }
}
