package raft.rsm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import kvraft.KvCodec;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvStore;
import org.junit.jupiter.api.Test;
import wire.Bytes;

/** The server half shared by the actor server and the lab's simulated servers. */
class ServiceCoreTest {
  private static ServiceCore<KvCommand, KvReply, String> core(long maxRaftState) {
    return new ServiceCore<>(new Replica<>(new KvStore(), KvCodec.COMMANDS, KvCodec.RESULTS, kvraft.KvServer.REPLIES,
        ClientSessions.DEFAULT_MAX_SESSIONS), KvCodec.COMMANDS,
        maxRaftState);
  }

  private static Bytes entry(ServiceCore<KvCommand, KvReply, String> c, long client, long seq, KvCommand cmd) {
    return c.encode(new Envelope<>(client, seq, cmd));
  }

  @Test
  void theCallerOfTheAppliedEntryGetsItsResult() {
    var c = core(-1);
    c.proposed(1, 3, "alice");
    List<ServiceCore.Answer<String, KvReply>> out = c.apply(1, 3, entry(c, 7, 1, new KvCommand.Put("k", "v")));
    assertEquals(List.of(new ServiceCore.Answer<>("alice", KvReply.DONE)), out);
    assertEquals(0, c.waiting());
  }

  @Test
  void anAcceptanceThatArrivesAfterItsEntryWasAppliedIsAnsweredAtOnce() {
    var c = core(-1);
    c.apply(1, 3, entry(c, 7, 1, new KvCommand.Put("k", "v")));
    assertEquals(java.util.Optional.of(new ServiceCore.Answer<>("alice", KvReply.DONE)), c.proposed(1, 3, "alice"));
    assertEquals(java.util.Optional.of(new ServiceCore.Answer<String, KvReply>("bob", null)), c.proposed(1, 2, "bob"),
        "another term's entry took the index: retry");
    assertEquals(0, c.waiting());
  }

  @Test
  void anotherLeadersEntryAtTheIndexSendsTheCallerElsewhere() {
    var c = core(-1);
    c.proposed(1, 3, "alice");
    List<ServiceCore.Answer<String, KvReply>> out = c.apply(1, 4, entry(c, 8, 1, new KvCommand.Put("k", "w")));
    assertEquals(List.of(new ServiceCore.Answer<String, KvReply>("alice", null)), out);
  }

  @Test
  void aRetryThatReachedTheLogTwiceIsAnsweredOnceAppliedOnce() {
    var c = core(-1);
    c.proposed(1, 3, "first try");
    c.proposed(2, 3, "retry");
    c.apply(1, 3, entry(c, 7, 1, new KvCommand.Append("k", "x")));
    List<ServiceCore.Answer<String, KvReply>> out = c.apply(2, 3, entry(c, 7, 1, new KvCommand.Append("k", "x")));
    assertEquals(List.of(new ServiceCore.Answer<>("retry", KvReply.DONE)), out);
    assertEquals(new KvReply.Value("x"), c.replica().machine().apply(new KvCommand.Get("k")));
  }

  @Test
  void aQueryWaitsUntilItsReadIndexIsAppliedThenReadsTheStateThere() {
    var c = core(-1);
    c.apply(1, 1, entry(c, 7, 1, new KvCommand.Put("k", "old")));
    assertEquals(java.util.Optional.of(new ServiceCore.Answer<>("now", new KvReply.Value("old"))),
        c.query(1, new KvCommand.Get("k"), "now"), "read index already applied: answered at once");
    assertEquals(java.util.Optional.empty(), c.query(3, new KvCommand.Get("k"), "later"));
    assertEquals(1, c.waiting());
    List<ServiceCore.Answer<String, KvReply>> out = c.apply(2, 1, entry(c, 7, 2, new KvCommand.Put("k", "mid")));
    assertEquals(List.of(), out, "index 2 is below the read index 3");
    out = c.apply(3, 1, entry(c, 7, 3, new KvCommand.Put("k", "new")));
    assertEquals(List.of(new ServiceCore.Answer<>("later", new KvReply.Value("new"))), out);
    assertEquals(0, c.waiting());
    assertEquals(3, c.replica().appliedIndex(), "a query is no entry");
  }

  @Test
  void aQueryWaitingWhenThePeerStopsMustRetry() {
    var c = core(-1);
    c.query(5, new KvCommand.Get("k"), "reader");
    assertEquals(List.of(), c.leadershipLost(), "a confirmed read index stays valid after leadership changes");
    assertEquals(List.of(new ServiceCore.Answer<String, KvReply>("reader", null)), c.drain());
    assertEquals(0, c.waiting());
  }

  @Test
  void snapshotsOnlyWhenTheRaftStateReachesTheLimit() {
    assertFalse(core(-1).snapshotting());
    assertFalse(core(-1).shouldSnapshot(1_000_000));
    assertTrue(core(1000).snapshotting());
    assertFalse(core(1000).shouldSnapshot(999));
    assertTrue(core(1000).shouldSnapshot(1000));
  }

  @Test
  void aRestoredSnapshotReplacesTheStateAndReleasesTheCallsItCovers() {
    var leader = core(1000);
    leader.apply(1, 1, entry(leader, 7, 1, new KvCommand.Put("k", "v")));
    Bytes snap = leader.snapshot();
    var follower = core(1000);
    follower.proposed(1, 1, "stale");
    follower.proposed(5, 2, "later");
    List<ServiceCore.Answer<String, KvReply>> out = follower.restore(1, snap);
    assertEquals(List.of(new ServiceCore.Answer<String, KvReply>("stale", null)), out);
    assertEquals(1, follower.waiting());
    assertEquals(new KvReply.Value("v"), follower.replica().machine().apply(new KvCommand.Get("k")));
    // the session came along: the same write again is a duplicate
    follower.apply(2, 2, entry(follower, 7, 1, new KvCommand.Put("k", "other")));
    assertEquals(new KvReply.Value("v"), follower.replica().machine().apply(new KvCommand.Get("k")));
  }

  @Test
  void losingLeadershipReleasesEveryWaitingCall() {
    var c = core(-1);
    c.proposed(1, 3, "a");
    c.proposed(2, 3, "b");
    assertEquals(2, c.leadershipLost().size());
    assertEquals(0, c.waiting());
  }

  @Test
  void raftsOwnEntriesAdvanceTheAppliedIndexButAreNeverDecodedAsCommands() {
    var c = core(-1);
    c.proposed(1, 2, "alice"); // alice's entry lost its place to the new leader's no-op
    var members = raft.message.Membership.ofVoters(List.of(raft.PeerId.of("p1"), raft.PeerId.of("p2")));
    List<ServiceCore.Answer<String, KvReply>> out = c.apply(raft.message.LogEntry.noop(1, 3));
    assertEquals(List.of(new ServiceCore.Answer<String, KvReply>("alice", null)), out, "alice must retry");
    c.apply(raft.message.LogEntry.confChange(2, 3, members)); // not an Envelope: decoding it would throw
    c.apply(new raft.message.LogEntry(3, 3, entry(c, 7, 1, new KvCommand.Put("k", "v"))));
    assertEquals(3, c.replica().appliedIndex());
    assertEquals(new KvReply.Value("v"), c.replica().machine().apply(new KvCommand.Get("k")));
  }
}
