package node.http;

import akka.http.javadsl.model.StatusCode;
import akka.http.javadsl.model.StatusCodes;

/**
 * The {@code code} of every JSON error body of the HTTP API, with its HTTP status. Chosen from the
 * typed {@link kvraft.KvReply} (or the route's own check), never from message text; clients
 * ({@link HttpKvClient}, the CLI through it) read the code, the {@code error} text is for people.
 * The same list is the {@code ErrorCode} schema of {@code openapi.json}.
 */
public enum ErrorCode {
  /** Malformed or rejected input (KvReply.Rejected, a bad parameter or body). */
  BAD_REQUEST(StatusCodes.BAD_REQUEST, false),
  /** A read asked for a consistency level there is none of; the body's {@code allowed} lists those there are. */
  UNKNOWN_CONSISTENCY(StatusCodes.BAD_REQUEST, false),
  /** No such key, or no such path. */
  NOT_FOUND(StatusCodes.NOT_FOUND, false),
  /** The path exists, the method does not. */
  METHOD_NOT_ALLOWED(StatusCodes.METHOD_NOT_ALLOWED, false),
  /** A compare-and-set found another value (the body says which). */
  CONFLICT(StatusCodes.CONFLICT, false),
  /** The client's session was forgotten; the write was not applied (KvReply.SessionExpired). */
  SESSION_EXPIRED(StatusCodes.GONE, false),
  /** A value or body above the limits. */
  TOO_LARGE(StatusCodes.PAYLOAD_TOO_LARGE, false),
  /** The group holds too many requests; retry shortly. */
  BUSY(StatusCodes.SERVICE_UNAVAILABLE, true),
  /** No replica answered in time; a write may or may not have been applied. */
  TIMEOUT(StatusCodes.SERVICE_UNAVAILABLE, true),
  /** No leader could be found. */
  NO_LEADER(StatusCodes.SERVICE_UNAVAILABLE, true),
  /** The replica asked does not lead; the body names the leader it knows. */
  WRONG_LEADER(StatusCodes.SERVICE_UNAVAILABLE, true),
  /** Admin: the peer to add is already a voter or learner. */
  MEMBER_EXISTS(StatusCodes.CONFLICT, false),
  /** Admin: the peer to remove, or to hand leadership to, is not in the group. */
  NOT_A_MEMBER(StatusCodes.NOT_FOUND, false),
  /** Admin: the peer to promote is not a learner. */
  NOT_A_LEARNER(StatusCodes.CONFLICT, false),
  /** Admin: the learner to promote has not caught up with the leader's log yet; retry later. */
  LEARNER_BEHIND(StatusCodes.CONFLICT, true),
  /** Admin: the change would leave the group without a voter. */
  LAST_VOTER(StatusCodes.CONFLICT, false),
  /** Admin: another membership change is not applied yet (one at a time; the body's reason says which wait); retry shortly. */
  CHANGE_PENDING(StatusCodes.CONFLICT, true),
  /** Admin: leadership can only go to a voter, and the peer named is a learner. */
  NOT_A_VOTER(StatusCodes.CONFLICT, false),
  /** Admin: the peer named already leads. */
  ALREADY_LEADER(StatusCodes.CONFLICT, false),
  /** Admin: no other voter to hand leadership to. */
  NO_OTHER_VOTER(StatusCodes.CONFLICT, false),
  /** Admin: the leader is handing leadership over (the body names to whom); retry shortly. */
  TRANSFER_IN_PROGRESS(StatusCodes.SERVICE_UNAVAILABLE, true),
  /** Sharded admin: the gid to join is already in the configuration. */
  GID_IN_USE(StatusCodes.CONFLICT, false),
  /** Sharded admin: no group with that gid in the configuration. */
  UNKNOWN_GROUP(StatusCodes.NOT_FOUND, false),
  /** Sharded admin: no shard with that id (ids are 0 to n-shards - 1). */
  UNKNOWN_SHARD(StatusCodes.NOT_FOUND, false),
  /** Sharded admin: no node of that name in the cluster ({@code raftkv.sharded.nodes}). */
  UNKNOWN_NODE(StatusCodes.NOT_FOUND, false),
  /** Sharded admin: a replica move from a node that hosts no replica of the group. */
  NO_REPLICA_ON_NODE(StatusCodes.NOT_FOUND, false),
  /** Sharded admin: a replica move to a node that already hosts a replica of the group. */
  REPLICA_ON_NODE(StatusCodes.CONFLICT, false),
  /** Sharded admin: a move of the group is already running (or left it mid-change). */
  MOVE_IN_PROGRESS(StatusCodes.CONFLICT, false),
  /** A bug on our side. */
  INTERNAL(StatusCodes.INTERNAL_SERVER_ERROR, false);

  private final StatusCode status;
  private final boolean retryAfter;

  ErrorCode(StatusCode status, boolean retryAfter) {
    this.status = status;
    this.retryAfter = retryAfter;
  }

  public StatusCode status() {
    return status;
  }

  /** Whether the answer carries {@code Retry-After}: retrying later may succeed. */
  public boolean retryAfter() {
    return retryAfter;
  }

  /** The code of an error response whose code the route did not choose (akka-http's own rejections). */
  static ErrorCode ofStatus(int status) {
    for (ErrorCode c : values()) {
      if (c.status.intValue() == status && !c.retryAfter) return c;
    }
    return status >= 500 ? INTERNAL : BAD_REQUEST;
  }
}
