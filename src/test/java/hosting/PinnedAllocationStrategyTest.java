package hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import akka.actor.ActorRef;
import akka.actor.Address;
import akka.actor.testkit.typed.javadsl.ActorTestKit;
import akka.actor.typed.javadsl.Adapter;
import akka.actor.typed.javadsl.Behaviors;
import com.typesafe.config.ConfigFactory;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import raft.GroupId;
import raft.PeerId;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/** The allocation strategy alone: regions are refs at chosen addresses, membership is a stub. */
class PinnedAllocationStrategyTest {
  private static ActorTestKit kit;
  private static final Address A = new Address("akka", "hosting", "10.0.0.1", 2551);
  private static final Address B = new Address("akka", "hosting", "10.0.0.2", 2551);
  private static final Address C = new Address("akka", "hosting", "10.0.0.3", 2551);
  private static final ReplicaKey R1 = ReplicaKey.of("g1", "r1");
  private static final ReplicaKey R2 = ReplicaKey.of("g1", "r2");
  private static ActorRef regionA;
  private static ActorRef regionB;
  private static ActorRef localRegion;
  private static Address self;

  @BeforeAll
  static void start() {
    kit = ActorTestKit.create("hosting", ConfigFactory.parseString(
        "akka.actor.provider = cluster\nakka.remote.artery.canonical.port = 0\n").withFallback(ConfigFactory.load()));
    akka.actor.ActorSystem classic = Adapter.toClassic(kit.system());
    akka.actor.ExtendedActorSystem ext = (akka.actor.ExtendedActorSystem) classic;
    regionA = ext.provider().resolveActorRef(A + "/system/sharding/raft-replica");
    regionB = ext.provider().resolveActorRef(B + "/system/sharding/raft-replica");
    localRegion = Adapter.toClassic(kit.spawn(Behaviors.empty(), "region"));
    self = akka.cluster.Cluster.get(classic).selfAddress();
  }

  @AfterAll
  static void stop() {
    kit.shutdownTestKit();
  }

  private static PinnedAllocationStrategy strategy(Placement placement, Set<Address> up) {
    return new PinnedAllocationStrategy(() -> placement, new PinnedAllocationStrategy.Members() {
      @Override
      public Address self() {
        return self;
      }

      @Override
      public boolean isUp(Address node) {
        return up.contains(node);
      }
    });
  }

  private static Map<ActorRef, IndexedSeq<String>> allocations(Object... regionThenShards) {
    Map<ActorRef, IndexedSeq<String>> m = new LinkedHashMap<>();
    for (int i = 0; i < regionThenShards.length; i += 2) {
      @SuppressWarnings("unchecked")
      List<String> shards = (List<String>) regionThenShards[i + 1];
      m.put((ActorRef) regionThenShards[i], CollectionConverters.asScala(shards).toIndexedSeq());
    }
    return m;
  }

  private static StaticPlacement placement(Object... replicaThenNode) {
    Map<PeerId, Address> g = new HashMap<>();
    for (int i = 0; i < replicaThenNode.length; i += 2) g.put(PeerId.of((String) replicaThenNode[i]), (Address) replicaThenNode[i + 1]);
    return StaticPlacement.ofGroup(GroupId.of("g1"), g);
  }

  private static <T> T success(Future<T> f) {
    assertTrue(f.isCompleted(), "answered at once");
    assertTrue(f.value().get().isSuccess(), () -> "allocation failed: " + f.value().get());
    return f.value().get().get();
  }

  private static String failure(Future<?> f) {
    assertTrue(f.isCompleted(), "answered at once");
    assertTrue(f.value().get().isFailure(), () -> "allocation should fail, got " + f.value().get());
    return f.value().get().failed().get().getMessage();
  }

  @Test
  void allocatesOnlyToThePlacedNodeWhoeverAsks() {
    PinnedAllocationStrategy s = strategy(placement("r1", B, "r2", A), Set.of(A, B));
    // Region A asks (it got the first message) and has fewer shards; the replica still goes to B.
    assertEquals(regionB, success(s.allocateShard(regionA, R1.entityId(), allocations(regionA, List.of(), regionB,
        List.of("g2|x", "g3|y")))));
    assertEquals(regionA, success(s.allocateShard(regionB, R2.entityId(), allocations(regionA, List.of(), regionB,
        List.of()))));
  }

  @Test
  void localRegionIsThisNode() {
    PinnedAllocationStrategy s = strategy(placement("r1", self), Set.of(self));
    assertEquals(localRegion, success(s.allocateShard(regionA, R1.entityId(), allocations(localRegion, List.of(),
        regionA, List.of()))));
  }

  @Test
  void refusesWhenThePlacedNodeIsDownOrHasNoRegion() {
    Map<ActorRef, IndexedSeq<String>> both = allocations(regionA, List.of(), regionB, List.of());
    String down = failure(strategy(placement("r1", B), Set.of(A)).allocateShard(regionA, R1.entityId(), both));
    assertTrue(down.contains("g1|r1") && down.contains(B.toString()) && down.contains("not an Up member"), down);
    String noRegion = failure(strategy(placement("r1", C), Set.of(A, B, C))
        .allocateShard(regionA, R1.entityId(), both));
    assertTrue(noRegion.contains("has no shard region"), noRegion);
  }

  @Test
  void refusesUnplacedReplicasAndForeignShardIds() {
    Map<ActorRef, IndexedSeq<String>> one = allocations(regionA, List.of());
    PinnedAllocationStrategy s = strategy(placement("r2", A), Set.of(A));
    assertTrue(failure(s.allocateShard(regionA, R1.entityId(), one)).contains("has no placement"));
    assertTrue(failure(s.allocateShard(regionA, "no-bar", one)).contains("not a replica entity id"));
    assertTrue(failure(s.allocateShard(regionA, "a|b|c", one)).contains("not a replica entity id"));
  }

  @Test
  void refusesTwoReplicasOfOneGroupOnOneNode() {
    // The placement (a buggy one: MutablePlacement does not check) names A for both replicas.
    MutablePlacement both = new MutablePlacement().place(R1, A).place(R2, A);
    String named = failure(strategy(both, Set.of(A)).allocateShard(regionA, R1.entityId(), allocations(regionA, List.of())));
    assertTrue(named.contains("distinct nodes"), named);
    // The placement is fine, but A still hosts r2 (say, from before a placement change).
    String hosted = failure(strategy(placement("r1", A, "r2", B), Set.of(A, B))
        .allocateShard(regionA, R1.entityId(), allocations(regionA, List.of("g1|r2"), regionB, List.of())));
    assertTrue(hosted.contains("already hosts replica r2"), hosted);
    // A still holds the shard of r2, which the placement no longer lists (moved away, retired): a
    // later replica of the group may come to A.
    assertEquals(regionA, success(strategy(placement("r1", A, "r3", B), Set.of(A, B))
        .allocateShard(regionA, R1.entityId(), allocations(regionA, List.of("g1|r2"), regionB, List.of()))));
    // Replicas of other groups on the same node are fine.
    assertEquals(regionA, success(strategy(placement("r1", A), Set.of(A))
        .allocateShard(regionB, R1.entityId(), allocations(regionA, List.of("g2|r2", "g3|r1")))));
  }

  @Test
  void staticPlacementRefusesTwoReplicasOfOneGroupOnOneNode() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> placement("r1", A, "r2", A));
    assertTrue(e.getMessage().contains("distinct nodes") && e.getMessage().contains("g1"), e.getMessage());
  }

  @Test
  void staticPlacementParsesHostPortsAndNamesWhatIsWrong() {
    StaticPlacement p = StaticPlacement.parse("hosting", Map.of("g1", Map.of("r1", "10.0.0.1:2551", "r2", "10.0.0.2:2551")));
    assertEquals(java.util.Optional.of(A), p.nodeOf(R1));
    assertEquals(List.of(R2), p.replicasOn(B));
    IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
        () -> StaticPlacement.parse("hosting", Map.of("g1", Map.of("r1", "10.0.0.1"))));
    assertTrue(bad.getMessage().contains("replica r1 of group g1") && bad.getMessage().contains("'10.0.0.1'"),
        bad.getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> StaticPlacement.parse("hosting", Map.of("g1", Map.of("r1", "h:1", "r2", "h:1"))));
  }

  @Test
  void neverRebalances() {
    PinnedAllocationStrategy s = strategy(placement("r1", A), Set.of(A, B));
    // All shards on A, none on B, and r1 even sits on a node other than its placement: nothing moves.
    Map<ActorRef, IndexedSeq<String>> skewed = allocations(regionA, List.of("g1|r1", "g2|r1", "g3|r1", "g4|r1"),
        regionB, List.of());
    assertEquals(Set.of(), success(s.rebalance(skewed, Set.of())));
    assertEquals(Set.of(), success(strategy(placement("r1", B), Set.of(A, B)).rebalance(skewed, Set.of())));
  }

  @Test
  void replicaKeyRoundTripsItsEntityId() {
    assertEquals("g3|r7", ReplicaKey.of("g3", "r7").entityId());
    assertEquals(ReplicaKey.of("g3", "r7"), ReplicaKey.parse("g3|r7"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaKey.of("g|3", "r7"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaKey.parse("|r7"));
    assertThrows(IllegalArgumentException.class, () -> ReplicaKey.parse("g3|"));
  }
}
