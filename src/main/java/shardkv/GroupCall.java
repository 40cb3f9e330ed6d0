package shardkv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One round of calls at a replica group, the way the lab's clerk and servers make them: each
 * server in turn, until one gives an answer that counts (a follower's WrongLeader, a NotYet or no
 * reply in time moves on to the next); null when none did. Only immutable data is touched, so it
 * may run on any thread; an actor pipes the result to itself.
 */
final class GroupCall {
  private GroupCall() {}

  static <Q, T> CompletionStage<T> firstAnswer(ActorSystem<?> system, List<ActorRef<Q>> servers,
      Function<ActorRef<T>, Q> request, Duration timeout, Predicate<T> counts) {
    return from(system, servers, 0, request, timeout, counts);
  }

  private static <Q, T> CompletionStage<T> from(ActorSystem<?> system, List<ActorRef<Q>> servers, int i,
      Function<ActorRef<T>, Q> request, Duration timeout, Predicate<T> counts) {
    if (i >= servers.size()) return CompletableFuture.completedFuture(null);
    CompletionStage<T> reply = AskPattern.ask(servers.get(i), request::apply, timeout, system.scheduler());
    return reply.handle((r, e) -> e == null && r != null && counts.test(r) ? r : null)
        .thenCompose(r -> r != null ? CompletableFuture.completedFuture(r)
            : from(system, servers, i + 1, request, timeout, counts));
  }
}
