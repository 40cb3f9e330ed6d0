package wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import com.fasterxml.jackson.dataformat.cbor.databind.CBORMapper;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import raft.PeerId;
import raft.core.RaftRole;
import raft.core.RaftStatus;
import raft.message.AppendEntries;
import raft.message.HardState;
import raft.message.LogEntry;
import raft.message.RaftMessage;
import raft.serialization.RaftJacksonModule;

/** Our wire types survive a CBOR round trip with plain Jackson and {@link RaftJacksonModule}, no Akka. */
class WireRoundTripTest {
  private final ObjectMapper cbor = CBORMapper.builder().addModule(new Jdk8Module()).addModule(new RaftJacksonModule()).build();

  private <T> T roundTrip(Object value, Class<T> type) throws Exception {
    return cbor.readValue(cbor.writeValueAsBytes(value), type);
  }

  @Test
  void valueTypesRoundTrip() throws Exception {
    assertEquals(PeerId.of("p1"), roundTrip(PeerId.of("p1"), PeerId.class));
    assertEquals(Bytes.utf8("hello"), roundTrip(Bytes.utf8("hello"), Bytes.class));
    HardState hs = new HardState(3, Optional.of(PeerId.of("p2")), 7);
    assertEquals(hs, roundTrip(hs, HardState.class));
  }

  @Test
  void messagesRoundTripThroughTheirSealedType() throws Exception {
    RaftMessage m = new AppendEntries(2, PeerId.of("p1"), PeerId.of("p2"), 4, 1,
        List.of(new LogEntry(5, 2, Bytes.utf8("x"))), 3);
    assertEquals(m, roundTrip(m, RaftMessage.class));
  }

  @Test
  void snapshotRoundTrips() throws Exception {
    var s = new raft.message.Snapshot(new raft.message.SnapshotMeta(9, 2), Bytes.utf8("img"));
    assertEquals(s, roundTrip(s, raft.message.Snapshot.class));
  }

  @Test
  void statusKeepsTheLeaderHint() throws Exception {
    RaftStatus s = new RaftStatus(PeerId.of("p1"), RaftRole.FOLLOWER, 2, Optional.of(PeerId.of("p3")), 1, 1, 1, 4);
    assertEquals(s, roundTrip(s, RaftStatus.class));
  }
}
