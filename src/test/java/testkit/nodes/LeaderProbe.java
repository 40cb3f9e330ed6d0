package testkit.nodes;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import node.http.HttpKvClient;
import raft.core.RaftStatus;

/**
 * Polls one node's {@code GET /status} (every replica's role and term, as that node's client
 * gathers them) back to back on a thread of its own, to measure how long a group is without a
 * leader. A sample has a leader if a replica leads in the highest term any replica reports (a
 * deposed leader that has not heard of the new term yet does not count).
 */
public final class LeaderProbe implements AutoCloseable {
  /** One poll: when it was sent and answered (nanoTime), whether the answer showed a leader. */
  public record Sample(long sent, long answered, boolean leader) {}

  /** A run without a leader: its bound in ms and how many samples showed none. */
  public record Gap(double millis, int samplesWithout) {}

  private final HttpKvClient client;
  private final ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;

  public LeaderProbe(String base) {
    client = new HttpKvClient(URI.create(base), Duration.ofSeconds(5));
    thread = new Thread(this::run, "leader-probe");
    thread.start();
  }

  private void run() {
    while (!stop.get()) {
      long sent = System.nanoTime();
      boolean leader;
      try {
        leader = hasLeader(client.status().toCompletableFuture().get(10, TimeUnit.SECONDS));
      } catch (Exception e) {
        leader = false; // no answer: no leader seen
      }
      samples.add(new Sample(sent, System.nanoTime(), leader));
    }
  }

  static boolean hasLeader(List<RaftStatus> all) {
    return leader(all).isPresent();
  }

  /** The replica that leads in the highest term any replica reports (a deposed leader that has not heard yet is none). */
  public static java.util.Optional<RaftStatus> leader(List<RaftStatus> all) {
    long term = all.stream().mapToLong(RaftStatus::term).max().orElse(-1);
    return all.stream().filter(s -> s.isLeader() && s.term() == term).findFirst();
  }

  /** One {@code GET /status} of the node at {@code base}: every replica that answered; none if the node did not. */
  public static List<RaftStatus> status(String base) {
    try {
      return new HttpKvClient(URI.create(base), Duration.ofSeconds(5)).status().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      return List.of();
    }
  }

  /** Whether a sample sent at or after {@code from} (nanoTime) showed a leader. */
  public boolean hasLeaderSince(long from) {
    return samples.stream().anyMatch(s -> s.sent() >= from && s.leader());
  }

  public int samples() {
    return samples.size();
  }

  /** The longest time between the sends of two consecutive samples from {@code from} on: the resolution. */
  public double maxPollMillis(long from) {
    List<Sample> all = List.copyOf(samples);
    long max = 0;
    for (int i = 1; i < all.size(); i++) {
      if (all.get(i).sent() >= from) max = Math.max(max, all.get(i).sent() - all.get(i - 1).sent());
    }
    return max / 1e6;
  }

  /**
   * The longest run of samples without a leader that ends after {@code from}: from the send of
   * the last sample with a leader before it to the answer of the first with one after (the
   * leaderless time lies within). A run not ended by a leader ends at the last answer.
   */
  public Gap longestGap(long from) {
    List<Sample> all = List.copyOf(samples); // in the order taken: one thread adds them
    Gap longest = new Gap(0, 0);
    int i = 0;
    while (i < all.size()) {
      if (all.get(i).leader()) {
        i++;
        continue;
      }
      int start = i;
      while (i < all.size() && !all.get(i).leader()) i++;
      long begin = start == 0 ? all.get(0).sent() : all.get(start - 1).sent();
      long end = i < all.size() ? all.get(i).answered() : all.get(all.size() - 1).answered();
      if (end < from) continue;
      double ms = (end - begin) / 1e6;
      if (ms > longest.millis()) longest = new Gap(ms, i - start);
    }
    return longest;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join(30_000);
  }
}
