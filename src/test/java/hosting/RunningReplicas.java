package hosting;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Test instrument: which node runs each hosted replica right now, across every ActorSystem of the
 * JVM. A replica that starts while another incarnation of it runs is a violation (an entity that
 * runs twice).
 */
final class RunningReplicas {
  private final Map<ReplicaKey, Set<String>> running = new ConcurrentHashMap<>();
  private final Map<ReplicaKey, Set<String>> everRan = new ConcurrentHashMap<>();
  private final List<String> violations = new ArrayList<>();

  synchronized void started(ReplicaKey key, String node) {
    Set<String> nodes = running.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet());
    if (!nodes.isEmpty()) violations.add(key + " started on " + node + " while running on " + nodes);
    nodes.add(node);
    everRan.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).add(node);
  }

  synchronized void stopped(ReplicaKey key, String node) {
    Set<String> nodes = running.get(key);
    if (nodes != null) nodes.remove(node);
  }

  synchronized Set<String> nodesRunning(ReplicaKey key) {
    return Set.copyOf(running.getOrDefault(key, Set.of()));
  }

  synchronized Set<String> nodesEverRan(ReplicaKey key) {
    return Set.copyOf(everRan.getOrDefault(key, Set.of()));
  }

  synchronized List<String> violations() {
    return List.copyOf(violations);
  }
}
