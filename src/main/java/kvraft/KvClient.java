package kvraft;

import java.util.List;
import java.util.concurrent.CompletionStage;
import raft.core.RaftStatus;
import raft.rsm.ReadConsistency;

/**
 * What applications call (the lab's Clerk), with no Akka type in sight. Every operation is
 * linearizable (unless a read asks for {@link ReadConsistency#SERIALIZABLE}) and applied at most once: the client gives each write a (client id, sequence
 * number), follows leader hints, and retries on another replica with the same numbers until the
 * operation's deadline.
 *
 * <p>A stage completes with a result ({@link KvReply.Value}, {@link KvReply.NoKey},
 * {@link KvReply.Done}, {@link KvReply.CasResult}, {@link KvReply.Scanned}), with
 * {@link KvReply.Rejected} for input no server will take, or with {@link KvReply.Timeout} when no
 * replica answered before the deadline (the write may or may not have been applied). It never
 * completes exceptionally for those: they are values to match on.
 */
public interface KvClient extends AutoCloseable {

  /** Runs any command; the methods below are shorthands. Reads are linearizable. */
  CompletionStage<KvReply> execute(KvCommand command);

  /**
   * Runs a command; a read (get, scan) at {@code consistency}: {@link ReadConsistency#SERIALIZABLE}
   * is answered by any replica from what it has applied (no leader needed, possibly stale). Writes
   * ignore it. A client that cannot ask for less reads linearizably, which is never wrong.
   */
  default CompletionStage<KvReply> execute(KvCommand command, ReadConsistency consistency) {
    return execute(command);
  }

  default CompletionStage<KvReply> get(String key) {
    return execute(new KvCommand.Get(key));
  }

  default CompletionStage<KvReply> get(String key, ReadConsistency consistency) {
    return execute(new KvCommand.Get(key), consistency);
  }

  default CompletionStage<KvReply> put(String key, String value) {
    return execute(new KvCommand.Put(key, value));
  }

  default CompletionStage<KvReply> append(String key, String value) {
    return execute(new KvCommand.Append(key, value));
  }

  default CompletionStage<KvReply> delete(String key) {
    return execute(new KvCommand.Delete(key));
  }

  /** Sets {@code key} to {@code value} if it holds {@code expected} ({@code null}: if absent). */
  default CompletionStage<KvReply> cas(String key, String expected, String value) {
    return execute(new KvCommand.Cas(key, expected, value));
  }

  /** Keys in [{@code from}, {@code to}) ({@code to} null: to the end), at most {@code limit}. */
  default CompletionStage<KvReply> scan(String from, String to, int limit) {
    return execute(new KvCommand.Scan(from, to, limit));
  }

  /** The Raft status of every replica that answered (role, term, commit and apply index). */
  CompletionStage<List<RaftStatus>> status();

  /** Releases what the client holds; pending stages may complete with {@link KvReply.Timeout}. */
  @Override
  void close();
}
