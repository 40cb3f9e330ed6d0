package cli;

import bench.GroupsBench;
import bench.ResultFile;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/raftkv bench groups}: the options of {@link GroupsBench}; prints its JSON line. */
@Command(name = "groups", mixinStandardHelpOptions = true,
    description = "Idle CPU and heap per node of G Raft groups of 3 replicas over 3 in-process nodes (Artery TCP).")
public final class BenchGroupsCommand implements Callable<Integer> {
  @Option(names = "--groups", description = "Raft groups, one replica of each per node (default ${DEFAULT-VALUE})")
  int groups = 1000;

  @Option(names = "--window", description = "idle seconds measured (default ${DEFAULT-VALUE})")
  int window = 30;

  @Option(names = "--settle", description = "seconds between the last leader and the window (default ${DEFAULT-VALUE})")
  int settle = 10;

  @Option(names = "--quiesce-ticks", description = "RaftConfig.quiesceTicks of the groups; 0 = quiescence off (default ${DEFAULT-VALUE})")
  int quiesceTicks = 20;

  @Option(names = "--create-timeout", description = "seconds to wait for every group to elect a leader (default ${DEFAULT-VALUE})")
  int createTimeout = 300;

  @Override
  public Integer call() throws Exception {
    String json = GroupsBench.run(new GroupsBench.Options(groups, window, settle, quiesceTicks, createTimeout)).toJson();
    System.out.println(json);
    ResultFile.write(Path.of("target/bench/groups-" + groups + "-q" + quiesceTicks + ".json"), json);
    return 0;
  }
}
