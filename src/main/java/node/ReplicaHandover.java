package node;

import akka.actor.typed.ActorRef;
import akka.actor.typed.ActorSystem;
import akka.actor.typed.DispatcherSelector;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import kvraft.KvServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftRole;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;

/**
 * {@link LeadershipHandover} over the replicas of one process ({@link KvServer}s, or a sharded
 * node's {@code ShardKvServer}s: any server that speaks an {@link AkkaGroupAdmin.Protocol}): each replica that
 * leads is asked to transfer to the most up-to-date other voter ({@code TransferLeadership} with no
 * target), then watched until it names another leader, for at most {@code timeout} per replica
 * (all replicas in parallel). The core gives a transfer up after one election timeout, so a
 * timeout above that only waits longer for a refused or failed transfer to show.
 */
public final class ReplicaHandover implements LeadershipHandover {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaHandover.class);
  /** How often the local replica is asked whether another leads: a fraction of a heartbeat round. */
  private static final Duration POLL = Duration.ofMillis(20);

  /** One local replica: its group, its peer id, its actor and how that actor is asked for its members and a transfer. */
  public record Replica(GroupId group, PeerId peer, ActorRef<Object> ref, AkkaGroupAdmin.Protocol<Object> protocol) {
    /** A replica whose server speaks {@code protocol} ({@link AkkaGroupAdmin#KV} for a {@link KvServer}). */
    @SuppressWarnings("unchecked")
    public static <C> Replica of(GroupId group, PeerId peer, ActorRef<C> ref, AkkaGroupAdmin.Protocol<C> protocol) {
      return new Replica(group, peer, (ActorRef<Object>) (ActorRef<?>) ref,
          (AkkaGroupAdmin.Protocol<Object>) (AkkaGroupAdmin.Protocol<?>) protocol);
    }
  }

  private final ActorSystem<?> system;
  private final List<Replica> replicas;
  private final Duration timeout;
  private final Executor blocking;

  public ReplicaHandover(ActorSystem<?> system, List<Replica> replicas, Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("handover timeout must be > 0: " + timeout);
    this.system = system;
    this.replicas = List.copyOf(replicas);
    this.timeout = timeout;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.blocking());
  }

  @Override
  public CompletionStage<List<Outcome>> handOver() {
    List<CompletableFuture<Outcome>> each = new ArrayList<>();
    for (Replica r : replicas) each.add(CompletableFuture.supplyAsync(() -> handOver(r), blocking));
    return CompletableFuture.allOf(each.toArray(CompletableFuture[]::new))
        .thenApply(done -> each.stream().map(CompletableFuture::join).toList());
  }

  private Outcome handOver(Replica r) {
    long start = System.nanoTime();
    long end = start + timeout.toNanos();
    Optional<MembershipStatus> before = members(r, end);
    if (before.isEmpty()) return logged(r, Result.TIMED_OUT, Optional.empty(), start, "it did not answer");
    if (before.get().role() != RaftRole.LEADER) return new Outcome(r.group(), r.peer(), Result.NOT_LEADER,
        before.get().leader(), elapsed(start));
    if (before.get().membership().voters().stream().allMatch(r.peer()::equals)) {
      return logged(r, Result.SINGLE_VOTER, Optional.empty(), start, "it is the only voter");
    }
    AdminReply started = ask(r, to -> r.protocol().transfer().apply(Optional.empty(), to), end).orElse(null);
    if (started instanceof AdminReply.TransferRefused refused) {
      return logged(r, Result.REFUSED, Optional.empty(), start, refused.reason().toString());
    }
    // TransferStarted, TransferInProgress (one was under way already), NotLeader (it lost the lead
    // meanwhile) or no answer: in every case, wait for another leader to show.
    while (System.nanoTime() < end) {
      Optional<MembershipStatus> now = members(r, end);
      Optional<PeerId> leader = now.flatMap(MembershipStatus::leader);
      if (now.isPresent() && now.get().role() != RaftRole.LEADER && leader.isPresent() && !leader.get().equals(r.peer())) {
        return logged(r, Result.TRANSFERRED, leader, start, "term " + now.get().term());
      }
      try {
        Thread.sleep(POLL.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return logged(r, Result.TIMED_OUT, Optional.empty(), start, "no other leader after " + started);
  }

  private Optional<MembershipStatus> members(Replica r, long end) {
    return ask(r, r.protocol().members(), end).flatMap(a -> a instanceof AdminReply.Members m ? Optional.of(m.status())
        : Optional.empty());
  }

  private Optional<AdminReply> ask(Replica r, Function<ActorRef<AdminReply>, Object> request,
      long end) {
    Duration left = Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), end - System.nanoTime()));
    try {
      return Optional.of(AskPattern.ask(r.ref(), request::apply, left, system.scheduler()).toCompletableFuture()
          .get(left.toMillis() + 1_000, TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      return Optional.empty(); // no answer in time: the caller reports it
    }
  }

  private static Duration elapsed(long start) {
    return Duration.ofNanos(System.nanoTime() - start);
  }

  private static Outcome logged(Replica r, LeadershipHandover.Result result, Optional<PeerId> to, long start, String why) {
    Outcome o = new Outcome(r.group(), r.peer(), result, to, elapsed(start));
    if (result == Result.TRANSFERRED) {
      LOG.info("leadership of {} handed over from {} to {} in {} ms ({})", r.group(), r.peer(), to.orElseThrow(),
          o.took().toMillis(), why);
    } else if (result == Result.SINGLE_VOTER) {
      LOG.info("leadership of {} stays with {}: {}", r.group(), r.peer(), why);
    } else {
      LOG.warn("leadership of {} not handed over by {}: {} after {} ms ({})", r.group(), r.peer(), result,
          o.took().toMillis(), why);
    }
    return o;
  }
}
