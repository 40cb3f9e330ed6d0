package wire;

/**
 * Marker for everything that may cross a process boundary: messages, events and snapshots.
 * {@code reference.conf} binds it to Akka's jackson-cbor serializer.
 */
public interface CborSerializable {}
