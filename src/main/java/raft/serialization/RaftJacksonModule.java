package raft.serialization;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.jsontype.NamedType;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.util.List;
import java.util.Optional;
import raft.GroupId;
import raft.PeerId;
import raft.core.ProposeResult;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.core.TransferResult;
import raft.message.Heartbeat;
import raft.message.HeartbeatResponse;
import raft.message.LogEntry;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.message.RaftMessage;
import raft.message.Snapshot;
import raft.persistence.RaftEvent;

/**
 * How the Raft library's types map to Jackson (CBOR on the wire and in journals, JSON over HTTP),
 * kept out of the types themselves so raft, raft.message, raft.core and raft.persistence do not
 * depend on Jackson. Registered in reference.conf ({@code akka.serialization.jackson.jackson-modules})
 * and in the HTTP API's mapper. The bytes are those the annotations used to give
 * ({@code RaftCborCompatibilityTest}): a sealed type writes its subtype's simple name as {@code type}.
 */
public final class RaftJacksonModule extends SimpleModule {
  /** The sealed types sent or stored as their interface, so each value says which subtype it is. */
  private static final List<Class<?>> SEALED = List.of(
      RaftMessage.class, RaftEvent.class, MembershipChange.class, ProposeResult.class, TransferResult.class);

  public RaftJacksonModule() {
    super("RaftJacksonModule");
    setMixInAnnotation(GroupId.class, GroupIdMixIn.class);
    setMixInAnnotation(PeerId.class, PeerIdMixIn.class);
    setMixInAnnotation(RaftMessage.class, RaftMessageMixIn.class);
    setMixInAnnotation(LogEntry.class, LogEntryMixIn.class);
    setMixInAnnotation(Snapshot.class, SnapshotMixIn.class);
    setMixInAnnotation(Membership.class, MembershipMixIn.class);
    setMixInAnnotation(RaftStatus.class, RaftStatusMixIn.class);
    setMixInAnnotation(Heartbeat.class, HeartbeatMixIn.class);
    setMixInAnnotation(HeartbeatResponse.class, HeartbeatResponseMixIn.class);
    for (Class<?> sealed : SEALED) {
      if (sealed != RaftMessage.class) setMixInAnnotation(sealed, TypedByName.class);
      for (Class<?> subtype : sealed.getPermittedSubclasses()) registerSubtypes(new NamedType(subtype, subtype.getSimpleName()));
    }
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  private interface TypedByName {}

  private abstract static class GroupIdMixIn {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static GroupId of(String id) {
      throw new AssertionError("mix-in only");
    }

    @JsonValue
    abstract String id();
  }

  private abstract static class PeerIdMixIn {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PeerId of(String id) {
      throw new AssertionError("mix-in only");
    }

    @JsonValue
    abstract String id();
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  private interface RaftMessageMixIn {
    /** Derived, never sent. */
    @JsonIgnore
    boolean isRequest();
  }

  private interface LogEntryMixIn {
    @JsonIgnore
    boolean isNormal();
  }

  private interface SnapshotMixIn {
    @JsonIgnore
    boolean isEmpty();
  }

  private interface MembershipMixIn {
    @JsonIgnore
    boolean isEmpty();

    @JsonIgnore
    boolean isJoint();

    @JsonIgnore
    List<PeerId> members();
  }

  /**
   * The read round is left off when 0 (no read waits), so heartbeats keep the encoding they had
   * before reads rode them, and an older peer's heartbeat (no such field) reads as round 0. The
   * canonical constructor is named the creator: the records also have one without the round.
   */
  private abstract static class HeartbeatMixIn {
    @JsonCreator
    HeartbeatMixIn(@JsonProperty("term") long term, @JsonProperty("from") PeerId from, @JsonProperty("to") PeerId to,
        @JsonProperty("commit") long commit, @JsonProperty("readRound") long readRound,
        @JsonProperty("quiesce") boolean quiesce) {}

    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    abstract long readRound();

    /** Left off when false, like the read round: older peers read it as false. */
    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    abstract boolean quiesce();
  }

  private abstract static class HeartbeatResponseMixIn {
    @JsonCreator
    HeartbeatResponseMixIn(@JsonProperty("term") long term, @JsonProperty("from") PeerId from,
        @JsonProperty("to") PeerId to, @JsonProperty("readRound") long readRound) {}

    @JsonInclude(JsonInclude.Include.NON_DEFAULT)
    abstract long readRound();
  }

  /**
   * {@code leader} named explicitly on the constructor and the accessor, as the record component
   * was annotated: that is what puts it first on the wire, and keeps it a property beside the
   * ignored {@code isLeader()}.
   */
  private abstract static class RaftStatusMixIn {
    RaftStatusMixIn(PeerId id, RaftRole role, long term, @JsonProperty("leader") Optional<PeerId> leader,
        long commitIndex, long appliedIndex, long firstIndex, long lastIndex) {}

    @JsonProperty("leader")
    abstract Optional<PeerId> leader();

    /** Not a property: derived from role, and would collide with leader. */
    @JsonIgnore
    abstract boolean isLeader();
  }
}
