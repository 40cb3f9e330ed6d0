package node;

import akka.http.javadsl.ServerBinding;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import kvraft.KvClient;
import kvraft.KvCommand;
import kvraft.KvLimits;
import node.http.HttpApi;
import node.http.HttpKvClient;
import node.http.NodeOps;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Before a node serves anyone, a throwaway group of three replicas in this JVM (LevelDB journals
 * with the node's fsync setting, in a temp directory deleted afterwards; no remoting) takes a few
 * seconds of puts and gets through its own HTTP API on a loopback port. The JIT then has the hot
 * path (HTTP, JSON, the KV server, the Raft peer and core, the journal) compiled before the first
 * real request: without it a fresh node ran its first 10 s at a seventh of its warm rate
 * (issue 12), since C2 compiles on the same two cores the requests need. The user's data and
 * cluster never see any of it. {@code raftkv.node.jit-warm-up = 0s} switches it off.
 */
public final class JitWarmUp {
  private static final Logger LOG = LoggerFactory.getLogger(JitWarmUp.class);
  /** Closed-loop clients during the warm-up: enough to keep both cores busy. */
  private static final int CLIENTS = 16;
  private static final int KEYS = 1_000;

  private JitWarmUp() {}

  /** {@code raftkv.node.jit-warm-up}: how long the throwaway group takes load (0: no warm-up). */
  public static Duration configured(Config config) {
    Duration d = config.getDuration("raftkv.node.jit-warm-up");
    if (d.isNegative()) throw new IllegalArgumentException("raftkv.node.jit-warm-up must be >= 0s, not " + d);
    return d;
  }

  /** Runs the warm-up for {@code config}'s duration; returns the operations it completed. */
  public static long run(Config config) throws IOException, InterruptedException {
    Duration length = configured(config);
    if (length.isZero()) return 0;
    Path dir = Files.createTempDirectory("raftkv-jit-warm-up-");
    long t0 = System.nanoTime();
    // A plain local actor system whatever the node's own provider is: nothing here may join a cluster.
    Config local = ConfigFactory.parseString("akka.actor.provider = local").withFallback(config);
    NodeSpec spec = NodeSettings.nodeSpec(config).asLocal(dir);
    try (KvNode scratch = KvNode.start(spec, local)) {
      ServerBinding binding = HttpApi.start(scratch.system(), scratch.client(), KvLimits.defaults(), "127.0.0.1", 0,
          new NodeOps(spec.group().toString(), Set.copyOf(spec.hosted()), NodeOps.DEFAULT_MAX_APPLY_LAG), scratch.admin())
          .toCompletableFuture().get(30, TimeUnit.SECONDS);
      URI base = URI.create("http://127.0.0.1:" + binding.localAddress().getPort());
      long ops = load(base, length);
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      LOG.info("JIT warm-up: {} operations on a throwaway local group in {} ms", ops, (System.nanoTime() - t0) / 1_000_000);
      return ops;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IOException("the JIT warm-up group did not serve: " + e, e);
    } finally {
      deleteTree(dir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
    }
  }

  /** {@link #CLIENTS} closed loops of 3 puts to 1 get, 256-byte values, until {@code length} passed. */
  private static long load(URI base, Duration length) throws InterruptedException {
    long deadline = System.nanoTime() + length.toNanos();
    AtomicLong done = new AtomicLong();
    String value = "v".repeat(256);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CLIENTS; c++) {
      int id = c;
      Thread t = new Thread(() -> {
        try (KvClient client = new HttpKvClient(base, Duration.ofSeconds(5))) {
          for (long i = 0; System.nanoTime() < deadline; i++) {
            String key = "warm-" + ((id * 7919 + i) % KEYS);
            KvCommand cmd = i % 4 == 3 ? new KvCommand.Get(key) : new KvCommand.Put(key, value);
            client.execute(cmd).toCompletableFuture().get(10, TimeUnit.SECONDS);
            done.incrementAndGet();
          }
        } catch (Exception e) {
          LOG.debug("JIT warm-up client {} stopped early: {}", id, e.toString());
        }
      }, "jit-warm-up-" + c);
      t.start();
      threads.add(t);
    }
    for (Thread t : threads) t.join();
    return done.get();
  }
}
