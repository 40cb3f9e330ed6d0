package hosting;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import raft.PeerId;
import wire.CborSerializable;

/**
 * The durable record of a replica's birth, written to the replica's own journal (same plugin, so
 * same directory: wiping the journal wipes the certificate) by the entity that hosts it. Its events:
 * {@link Created} once, when a bootstrap or a committed membership change creates the replica on a
 * node; {@link Retired} once the replica is removed from its group. Immutable; one-line updates.
 *
 * @param created empty until the replica is created
 * @param retired true once removed: it never runs again
 */
public record BirthCertificate(Optional<Created> created, boolean retired) {
  public static final BirthCertificate NONE = new BirthCertificate(Optional.empty(), false);

  public BirthCertificate {
    Objects.requireNonNull(created, "created");
  }

  /** Why a replica was created: the only two legitimate ways to start empty. */
  public enum Cause { BOOTSTRAP, MEMBERSHIP_CHANGE }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Created.class, name = "Created"),
    @JsonSubTypes.Type(value = Retired.class, name = "Retired"),
  })
  public sealed interface Event extends CborSerializable {}

  /** Replica {@code key} was created on {@code node} with {@code voters} as its first configuration. */
  public record Created(ReplicaKey key, String node, List<PeerId> voters, Cause cause) implements Event {
    public Created {
      voters = List.copyOf(voters);
    }
  }

  /** The replica was removed from its group; the entity stops it and refuses it from now on. */
  public record Retired(ReplicaKey key) implements Event {}

  public BirthCertificate updated(Event e) {
    if (e instanceof Created c) return new BirthCertificate(Optional.of(c), retired);
    if (e instanceof Retired) return new BirthCertificate(created, true);
    throw new IllegalStateException("unknown event " + e);
  }
}
