package node;

import akka.Done;
import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) run Akka's CoordinatedShutdown instead of the JVM's exit. In order:
 * every group a replica of this node leads hands its leadership to its most up-to-date other voter
 * and the node waits (at most {@code raftkv.node.leadership-handover.timeout} per group) for the
 * new leader to show ({@link #handOverFirst}, phase before-service-unbind); the HTTP binding
 * unbinds (service-unbind); in-flight requests finish or fail within
 * {@code raftkv.node.http.shutdown-deadline} (service-requests-done); the node leaves the cluster
 * (cluster-leave, cluster-exiting); and the actor system terminates, so the process's main thread
 * returns and it exits 0 rather than 143. With the handover, a stopping leader costs its group one
 * TimeoutNow election (a few round trips) instead of an election timeout.
 */
public final class GracefulShutdown {
  private static final Logger LOG = LoggerFactory.getLogger(GracefulShutdown.class);

  /** Why the node stopped: a signal. */
  public static final class SignalReason implements CoordinatedShutdown.Reason {
    private final String signal;

    SignalReason(String signal) {
      this.signal = signal;
    }

    @Override
    public String toString() {
      return "SIG" + signal;
    }
  }

  private GracefulShutdown() {}

  /**
   * Runs {@code handover} first in CoordinatedShutdown (phase before-service-unbind). Before the
   * unbind, not after: HTTP still serves while leadership moves, and requests that reach the
   * stepping-down leader (refused as TransferInProgress) are retried by the node's client at the
   * new leader, so they finish rather than wait for the drain deadline. The replicas and the Raft
   * transport live until the actor system terminates, so the transfer has what it needs.
   */
  public static void handOverFirst(ActorSystem<?> system, LeadershipHandover handover) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "raftkv-leadership-handover",
        () -> handover.handOver().thenApply(outcomes -> Done.getInstance()));
  }

  /** Installs the handlers for this process (once per process; a later call replaces them). */
  public static void onSignals(ActorSystem<?> system) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        LOG.info("SIG{}: shutting down (hand leadership over, unbind HTTP, drain requests, leave the cluster)", name);
        CoordinatedShutdown.get(system).run(new SignalReason(name));
      });
    }
  }
}
