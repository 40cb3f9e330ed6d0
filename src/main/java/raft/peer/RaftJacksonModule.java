package raft.peer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.module.SimpleModule;
import java.util.Optional;
import raft.GroupId;
import raft.PeerId;
import raft.core.RaftStatus;
import wire.Bytes;

/**
 * Wire-format fixes for types the consensus core owns, registered with Akka's Jackson through
 * {@code akka.serialization.jackson.jackson-modules} in reference.conf. Without it:
 * <ul>
 *   <li>{@link PeerId}, {@link GroupId}, {@link Bytes}: the single-argument {@code @JsonCreator of(...)} is taken
 *       as a properties creator (parameter names are compiled in), so the plain string or byte
 *       string that {@code @JsonValue} writes cannot be read back;
 *   <li>{@link RaftStatus}: {@code isLeader()} is a bean getter for a property "leader" that
 *       collides with the component {@code Optional<PeerId> leader}; a boolean is written where
 *       the peer id belongs.
 * </ul>
 * Both belong in the types themselves (DELEGATING creator mode, {@code @JsonIgnore}); once the
 * core carries those annotations this module is redundant and can go.
 */
public final class RaftJacksonModule extends SimpleModule {
  public RaftJacksonModule() {
    super("RaftJacksonModule");
    setMixInAnnotation(PeerId.class, PeerIdMixin.class);
    setMixInAnnotation(GroupId.class, GroupIdMixin.class);
    setMixInAnnotation(RaftStatus.class, RaftStatusMixin.class);
    setMixInAnnotation(Bytes.class, BytesMixin.class);
  }

  abstract static class BytesMixin {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static Bytes of(byte[] data) {
      throw new UnsupportedOperationException("mixin");
    }
  }

  abstract static class PeerIdMixin {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static PeerId of(String id) {
      throw new UnsupportedOperationException("mixin");
    }
  }

  abstract static class GroupIdMixin {
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static GroupId of(String id) {
      throw new UnsupportedOperationException("mixin");
    }
  }

  abstract static class RaftStatusMixin {
    @JsonIgnore
    abstract boolean isLeader();

    // Ignoring one accessor of "leader" ignores the whole property unless another claims it.
    @JsonProperty("leader")
    abstract Optional<PeerId> leader();
  }
}
