package hosting;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import wire.CborSerializable;

/** What a replica entity says about itself: running here, or refusing (and why). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = HostStatus.Running.class, name = "Running"),
  @JsonSubTypes.Type(value = HostStatus.Refused.class, name = "Refused"),
})
public sealed interface HostStatus extends CborSerializable {
  ReplicaKey key();

  /** The node ({@code akka://system@host:port}) the entity answered from. */
  String node();

  /** The replica runs on {@code node}, created there by {@code cause}. */
  record Running(ReplicaKey key, String node, BirthCertificate.Cause cause) implements HostStatus {}

  /** The entity on {@code node} does not run the replica; {@code explanation} is the log line. */
  record Refused(ReplicaKey key, String node, Reason reason, String explanation) implements HostStatus {}

  enum Reason {
    /**
     * No birth certificate in the replica's journal on this node: it was never created here, or its
     * journal is gone. Starting it empty could vote twice in a term or forget acknowledged entries.
     */
    NOT_CREATED_HERE,
    /** The journal's certificate names another node (a data directory copied or moved). */
    CREATED_ON_ANOTHER_NODE,
    /** A Create that names another node arrived here (the entity was placed elsewhere than asked). */
    CREATE_FOR_ANOTHER_NODE,
    /** A Create whose voters do not include the replica or name one twice; nothing was written. */
    INVALID_CREATE,
    /** The replica was removed from its group; its id is never used again. */
    RETIRED,
    /** The hosted replica stopped (e.g. its journal could not be replayed); see the log. */
    REPLICA_FAILED,
  }
}
