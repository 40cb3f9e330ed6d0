package cli;

import bench.RaftBench;
import bench.ResultFile;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code bin/raftkv bench raft}: the options of {@link RaftBench}; prints its JSON line. */
@Command(name = "raft", mixinStandardHelpOptions = true,
    description = "Commit throughput and latency of a 3-peer Raft group (LevelDB, fsync on).")
public final class BenchRaftCommand implements Callable<Integer> {
  @Option(names = "--clients", description = "concurrent proposers (default ${DEFAULT-VALUE})")
  int clients = 16;

  @Option(names = "--seconds", description = "measured seconds (default ${DEFAULT-VALUE})")
  int seconds = 10;

  @Option(names = "--size", description = "command bytes (default ${DEFAULT-VALUE})")
  int size = 256;

  @Option(names = "--warmup", description = "seconds before measuring (default ${DEFAULT-VALUE})")
  int warmup = 3;

  @Option(names = "--dir", description = "journal directory, emptied first (default ${DEFAULT-VALUE})")
  Path dir = Path.of("target/bench/raft-journal");

  @Option(names = "--snapshot-every", description = "entries between service snapshots (default ${DEFAULT-VALUE})")
  long snapshotEvery = 20_000;

  @Option(names = "--fsync", negatable = true, description = "fsync every journal write (default ${DEFAULT-VALUE})")
  boolean fsync = true;

  @Option(names = "--config", description = "HOCON file with raftkv.raft settings (default: reference.conf)")
  File configFile;

  @Override
  public Integer call() throws IOException {
    String json = RaftBench.run(new RaftBench.Options(clients, seconds, size, warmup, dir, snapshotEvery, fsync,
        configFile)).toJson();
    System.out.println(json);
    ResultFile.write(Path.of("target/bench/raft.json"), json);
    return 0;
  }
}
