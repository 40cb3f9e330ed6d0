package cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import kvraft.KvClient;
import kvraft.KvReply;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import raft.core.RaftStatus;

/**
 * {@code bin/raftkv kv put|get|delete|append|cas|scan|status}: one command against the cluster
 * (or {@code --http URL}). Values go to stdout, errors to stderr, and the exit code says what
 * happened: {@link #OK}, {@link #NO_KEY}, {@link #USAGE} (also input a server rejects),
 * {@link #CAS_FAILED}, {@link #UNAVAILABLE} (busy, timeout, cannot connect).
 */
@Command(name = "kv", mixinStandardHelpOptions = true,
    description = "Read and write the replicated KV store.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:ok", "1:no such key", "2:usage or rejected input", "3:compare-and-set failed",
        "4:unavailable (busy, timeout, cannot connect)"})
public final class KvCli {
  public static final int OK = 0;
  public static final int NO_KEY = 1;
  public static final int USAGE = 2;
  public static final int CAS_FAILED = 3;
  public static final int UNAVAILABLE = 4;

  @Mixin KvTarget target = new KvTarget();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final KvTarget.Connector override;

  public KvCli() {
    this(null);
  }

  /** With a connector that replaces --config/--http (tests). */
  public KvCli(KvTarget.Connector override) {
    this.override = override;
  }

  @Command(name = "get", description = "Print the value of KEY.")
  int get(@Parameters(paramLabel = "KEY") String key) {
    return run(c -> c.get(key));
  }

  @Command(name = "put", description = "Set KEY to VALUE.")
  int put(@Parameters(paramLabel = "KEY") String key, @Parameters(paramLabel = "VALUE") String value) {
    return run(c -> c.put(key, value));
  }

  @Command(name = "append", description = "Append VALUE to KEY (an absent key counts as empty).")
  int append(@Parameters(paramLabel = "KEY") String key, @Parameters(paramLabel = "VALUE") String value) {
    return run(c -> c.append(key, value));
  }

  @Command(name = "delete", description = "Remove KEY.")
  int delete(@Parameters(paramLabel = "KEY") String key) {
    return run(c -> c.delete(key));
  }

  @Command(name = "cas", description = "Set KEY to VALUE if it holds --expected (or is --absent).")
  int cas(@Parameters(paramLabel = "KEY") String key, @Parameters(paramLabel = "VALUE") String value,
      @Option(names = "--expected", paramLabel = "OLD") String expected,
      @Option(names = "--absent", description = "only if KEY is absent") boolean absent) {
    if ((expected == null) == !absent) {
      err().println("cas: give exactly one of --expected OLD or --absent");
      return USAGE;
    }
    return run(c -> c.cas(key, absent ? null : expected, value));
  }

  @Command(name = "scan", description = "Print KEY<TAB>VALUE lines for keys in [--from, --to).")
  int scan(@Option(names = "--from", defaultValue = "") String from, @Option(names = "--to") String to,
      @Option(names = "--limit", defaultValue = "1000") int limit) {
    return run(c -> c.scan(from, to, limit));
  }

  @Command(name = "status", description = "Print role, term, commit and applied index of every replica.")
  int status() {
    List<RaftStatus> all = call(KvClient::status);
    if (all == null) return UNAVAILABLE;
    for (RaftStatus s : all) {
      out().printf("%s %s term=%d commit=%d applied=%d%n", s.id(), s.role(), s.term(), s.commitIndex(),
          s.appliedIndex());
    }
    if (all.isEmpty()) err().println("unavailable: no replica answered");
    return all.isEmpty() ? UNAVAILABLE : OK;
  }

  private int run(Function<KvClient, CompletionStage<KvReply>> op) {
    KvReply r = call(op);
    return r == null ? UNAVAILABLE : print(r);
  }

  /** Runs {@code op} on a fresh client; null (after saying why on stderr) if that failed. */
  private <T> T call(Function<KvClient, CompletionStage<T>> op) {
    try (KvClient c = connect()) {
      return await(op.apply(c));
    } catch (RuntimeException | ExecutionException | TimeoutException e) {
      err().println("unavailable: " + e.getMessage());
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Prints {@code r} and returns its exit code. */
  int print(KvReply r) {
    if (r instanceof KvReply.Value v) {
      out().println(v.value());
      return OK;
    }
    if (r instanceof KvReply.Done) return OK;
    if (r instanceof KvReply.NoKey) {
      err().println("no such key");
      return NO_KEY;
    }
    if (r instanceof KvReply.CasResult c) {
      if (c.swapped()) return OK;
      err().println(c.previous() == null ? "cas failed: key is absent" : "cas failed: current value is " + c.previous());
      return CAS_FAILED;
    }
    if (r instanceof KvReply.Scanned s) {
      for (KvReply.Entry e : s.entries()) out().println(e.key() + "\t" + e.value());
      if (s.more()) err().println("(more keys: raise --limit or continue with --from)");
      return OK;
    }
    if (r instanceof KvReply.Rejected rej) {
      err().println("rejected: " + rej.reason());
      return USAGE;
    }
    if (r instanceof KvReply.SessionExpired) {
      err().println("unavailable: session expired; this write was not applied (an earlier unanswered one may have been)");
      return UNAVAILABLE;
    }
    if (r instanceof KvReply.Busy) {
      err().println("unavailable: busy, retry shortly");
      return UNAVAILABLE;
    }
    err().println(r instanceof KvReply.Timeout
        ? "unavailable: timeout (a write may or may not have been applied)" : "unavailable: " + r);
    return UNAVAILABLE;
  }

  private <T> T await(CompletionStage<T> stage) throws InterruptedException, ExecutionException, TimeoutException {
    // The client has its own deadline; this only guards against one that never answers.
    return stage.toCompletableFuture().get(target.timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
  }

  private KvClient connect() {
    return override != null ? override.connect() : target.connect();
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
