package shardkv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One round of calls at a replica group, the way the lab's clerk and servers make them: each
 * server in turn, until one gives an answer that counts (a follower's WrongLeader, a NotYet or no
 * reply in time moves on to the next); null when none did. A round starts at the server of that
 * group that last gave an answer that counts (the lab's clerk starts at the first server every time,
 * which labrpc makes cheap: a call to a dead server fails at once; here it costs a whole timeout,
 * so a group whose first server is down would cost every call one). One instance per caller (a
 * client, a server's duties). Thread-safe: an actor pipes the result to itself.
 */
final class GroupCall {
  /** Groups remembered (configurations name few; a bound so that renamed groups do not pile up). */
  private static final int MAX_GROUPS = 1024;

  /** The server list of a group, as the caller resolved it, to the index of the one that last answered. */
  private final Map<List<?>, Integer> lastAnswered = new LinkedHashMap<>(16, 0.75f, true) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<List<?>, Integer> eldest) {
      return size() > MAX_GROUPS;
    }
  };

  <Q, T> CompletionStage<T> firstAnswer(ActorSystem<?> system, List<ActorRef<Q>> servers,
      Function<ActorRef<T>, Q> request, Duration timeout, Predicate<T> counts) {
    List<ActorRef<Q>> group = List.copyOf(servers);
    int first;
    synchronized (lastAnswered) {
      first = lastAnswered.getOrDefault(group, 0);
    }
    return from(system, group, first, 0, request, timeout, counts);
  }

  private <Q, T> CompletionStage<T> from(ActorSystem<?> system, List<ActorRef<Q>> servers, int first, int tried,
      Function<ActorRef<T>, Q> request, Duration timeout, Predicate<T> counts) {
    if (tried >= servers.size()) return CompletableFuture.completedFuture(null);
    int i = (first + tried) % servers.size();
    CompletionStage<T> reply = AskPattern.ask(servers.get(i), request::apply, timeout, system.scheduler());
    return reply.handle((r, e) -> e == null && r != null && counts.test(r) ? r : null)
        .thenCompose(r -> {
          if (r == null) return from(system, servers, first, tried + 1, request, timeout, counts);
          synchronized (lastAnswered) {
            lastAnswered.put(servers, i);
          }
          return CompletableFuture.completedFuture(r);
        });
  }
}
