package node;

import akka.actor.CoordinatedShutdown;
import akka.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT (Ctrl-C) run Akka's CoordinatedShutdown instead of the JVM's exit: the HTTP
 * binding unbinds (service-unbind), in-flight requests finish or fail within
 * {@code raftkv.node.http.shutdown-deadline} (service-requests-done), the node leaves the cluster
 * (cluster-leave, cluster-exiting), and the actor system terminates, so the process's main thread
 * returns and it exits 0 rather than 143. Leadership is not handed over first (that needs Raft
 * leadership transfer): a leader that stops costs its group one election timeout.
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

  /** Installs the handlers for this process (once per process; a later call replaces them). */
  public static void onSignals(ActorSystem<?> system) {
    for (String name : new String[] {"TERM", "INT"}) {
      Signal.handle(new Signal(name), sig -> {
        LOG.info("SIG{}: shutting down (unbind HTTP, drain requests, leave the cluster)", name);
        CoordinatedShutdown.get(system).run(new SignalReason(name));
      });
    }
  }
}
