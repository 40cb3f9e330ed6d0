package cli;

import java.io.File;
import java.net.URI;
import java.time.Duration;
import kvraft.KvClient;
import node.GroupAdmin;
import node.http.HttpGroupAdmin;
import node.http.HttpKvClient;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * Where {@code kv}, {@code admin} and {@code bench kv} send commands: a cluster named by {@code --config} (through
 * {@link node.KvClients}), or any node's HTTP API with {@code --http URL}. Tests replace the whole
 * thing with a {@link Connector} of their own.
 */
public final class KvTarget {
  /** Opens a client; the caller closes it. */
  @FunctionalInterface
  public interface Connector {
    KvClient connect();
  }

  @Option(names = "--config", scope = ScopeType.INHERIT, description = "HOCON file naming the cluster (default: reference.conf)")
  File config;

  @Option(names = "--http", scope = ScopeType.INHERIT, description = "talk to this HTTP API instead, e.g. http://127.0.0.1:8080")
  URI http;

  @Option(names = "--timeout", scope = ScopeType.INHERIT, description = "per-request timeout for --http (default ${DEFAULT-VALUE})")
  Duration timeout = Duration.ofSeconds(10);

  KvClient connect() {
    if (http != null) return new HttpKvClient(http, timeout);
    return node.KvClients.open(node.NodeSettings.load(config));
  }

  /** An operator's handle on the same group ({@code bin/raftkv admin}); the caller closes it. */
  GroupAdmin connectAdmin() {
    if (http != null) return new HttpGroupAdmin(http, timeout);
    return node.KvClients.openAdmin(node.NodeSettings.load(config));
  }

  String name() {
    return http != null ? "http" : "kvclient";
  }
}
