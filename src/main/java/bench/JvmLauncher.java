package bench;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Command lines for child JVMs running {@code cli.Main} with this JVM's classpath: the MapReduce
 * benchmark and the MapReduce lab tests start coordinators and workers as real processes this way.
 * Classpath entries are made absolute because children run in other directories. Under Maven the
 * test JVM's {@code java.class.path} is the full test classpath (surefire's manifest-only jar is
 * switched off in pom.xml for this reason).
 */
public final class JvmLauncher {
  /**
   * What every process of this project needs: the JDK 17 opens (LevelDB, sharding stores) and a
   * 4 MiB thread stack. Akka 2.6's EventSourcedBehavior unstashes commands that persist nothing
   * recursively (akka/akka#29933, fixed only in the BSL releases): a RaftPeer whose stash
   * (stash-capacity 1024) filled with reads and peer messages during a recovery or a write died
   * of StackOverflowError on the default 1 MiB stack (RollingRestartProcessTest, a restarted node).
   */
  public static final List<String> OPENS = List.of(
      "--add-opens", "java.base/java.nio=ALL-UNNAMED", "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "-Xss4m");

  private JvmLauncher() {}

  public static String javaBinary() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  public static String classpath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(s -> !s.isBlank())
        .map(s -> Path.of(s).toAbsolutePath().normalize().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }

  /** The command-line entry point, by name (bench sits below cli and does not depend on it). */
  public static final String MAIN = "cli.Main";

  /** {@code java <opens> <jvmOptions> -cp <classpath> cli.Main <args>}. */
  public static List<String> command(List<String> jvmOptions, List<String> args) {
    return command(MAIN, jvmOptions, args);
  }

  /** {@code java <opens> <jvmOptions> -cp <classpath> <mainClass> <args>}. */
  public static List<String> command(String mainClass, List<String> jvmOptions, List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(javaBinary());
    cmd.addAll(OPENS);
    cmd.addAll(jvmOptions);
    cmd.add("-cp");
    cmd.add(classpath());
    cmd.add(mainClass);
    cmd.addAll(args);
    return cmd;
  }
}
