package kvsrv;

import akka.actor.typed.ActorRef;
import akka.actor.typed.Scheduler;
import akka.actor.typed.javadsl.AskPattern;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lab's Clerk: Get, Put and Append against one {@link KvSrv}, retrying forever. Every attempt
 * is an ask with a timeout; a lost request or reply shows up as a timeout, and the clerk resends
 * the same request (same client id and sequence number) so the server applies it once. The attempt
 * timeout doubles after each loss up to {@code maxAttemptTimeout}, so big values still get through.
 *
 * <p>A clerk is a plain object (an id, a counter and the server's address): cheap enough for
 * 100,000 of them. Like the lab's Clerk it runs one operation at a time.
 */
public final class KvSrvClient {
  private static final Logger log = LoggerFactory.getLogger(KvSrvClient.class);

  private final ActorRef<KvSrv.Command> server;
  private final Scheduler scheduler;
  private final long clientId;
  private final AtomicLong seq = new AtomicLong();
  private final Duration attemptTimeout;
  private final Duration maxAttemptTimeout;

  public KvSrvClient(ActorRef<KvSrv.Command> server, Scheduler scheduler, long clientId, Duration attemptTimeout,
      Duration maxAttemptTimeout) {
    if (attemptTimeout.isNegative() || attemptTimeout.isZero() || maxAttemptTimeout.compareTo(attemptTimeout) < 0) {
      throw new IllegalArgumentException("need 0 < attemptTimeout <= maxAttemptTimeout");
    }
    this.server = server;
    this.scheduler = scheduler;
    this.clientId = clientId;
    this.attemptTimeout = attemptTimeout;
    this.maxAttemptTimeout = maxAttemptTimeout;
  }

  /** A clerk with a 100 ms first attempt, backing off to 4 s (a 10 MiB value can take a while). */
  public static KvSrvClient create(ActorRef<KvSrv.Command> server, Scheduler scheduler, long clientId) {
    return new KvSrvClient(server, scheduler, clientId, Duration.ofMillis(100), Duration.ofSeconds(4));
  }

  public long clientId() {
    return clientId;
  }

  /** The value of {@code key}, or "" if absent. */
  public CompletionStage<String> get(String key) {
    return this.<KvSrv.Value>untilAnswered(replyTo -> new KvSrv.Get(key, replyTo), attemptTimeout)
        .thenApply(KvSrv.Value::value);
  }

  public CompletionStage<KvSrv.Done> put(String key, String value) {
    long s = seq.incrementAndGet();
    return this.<KvSrv.Done>untilAnswered(replyTo -> new KvSrv.Put(key, value, clientId, s, replyTo), attemptTimeout);
  }

  /** Appends {@code value} and completes with the value before the append. */
  public CompletionStage<String> append(String key, String value) {
    long s = seq.incrementAndGet();
    return this.<KvSrv.Value>untilAnswered(replyTo -> new KvSrv.Append(key, value, clientId, s, replyTo), attemptTimeout)
        .thenApply(KvSrv.Value::value);
  }

  private <R> CompletionStage<R> untilAnswered(Function<ActorRef<R>, KvSrv.Command> request, Duration timeout) {
    CompletionStage<R> attempt = AskPattern.ask(server, request::apply, timeout, scheduler);
    return attempt.handle((reply, error) -> {
      if (error == null) {
        return CompletableFuture.completedFuture(reply);
      }
      Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
      if (!(cause instanceof TimeoutException)) {
        return CompletableFuture.<R>failedFuture(cause);
      }
      Duration next = timeout.multipliedBy(2).compareTo(maxAttemptTimeout) > 0 ? maxAttemptTimeout : timeout.multipliedBy(2);
      log.debug("client {}: no reply within {} ms, resending", clientId, timeout.toMillis());
      return untilAnswered(request, next);
    }).thenCompose(Function.identity());
  }
}
