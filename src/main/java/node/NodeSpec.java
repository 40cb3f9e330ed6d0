package node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import raft.GroupId;
import raft.PeerId;

/**
 * What one KV process hosts ({@code raftkv.node}): the replicas of {@code group} listed in
 * {@code peers} (id to {@code host:port}); {@code self} is the one this process runs, or null in
 * local mode, where one process runs them all.
 */
public record NodeSpec(GroupId group, PeerId self, Map<PeerId, String> peers, Path dataDir, boolean fsync) {

  /** The name of every KV ActorSystem; part of every peer and client address. */
  public static final String SYSTEM_NAME = "raftkv";

  public NodeSpec {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(dataDir, "dataDir");
    peers = Map.copyOf(peers);
  }

  public NodeSpec validate() {
    if (peers.isEmpty()) throw new IllegalArgumentException("no peers configured");
    if (self != null && !peers.containsKey(self))
      throw new IllegalArgumentException("id " + self + " is not among the peers " + peers.keySet());
    for (String hostPort : peers.values()) {
      if (self != null && !hostPort.matches("[^:]+:\\d+"))
        throw new IllegalArgumentException("peer address must be host:port, was '" + hostPort + "'");
    }
    return this;
  }

  public boolean isLocal() {
    return self == null;
  }

  /** Every peer, in id order. */
  public List<PeerId> voters() {
    return peers.keySet().stream().sorted().toList();
  }

  /** The replicas this process runs. */
  public List<PeerId> hosted() {
    return isLocal() ? voters() : List.of(self);
  }

  /** {@code akka://raftkv@host:port} of a peer's process. */
  public String address(PeerId p) {
    return "akka://" + SYSTEM_NAME + "@" + peers.get(p);
  }

  public String host() {
    return peers.get(self).substring(0, peers.get(self).lastIndexOf(':'));
  }

  public int port() {
    return Integer.parseInt(peers.get(self).substring(peers.get(self).lastIndexOf(':') + 1));
  }

  /** Local mode: the same group, every replica in this process, data under {@code dataDir}. */
  public NodeSpec asLocal(Path dir) {
    return new NodeSpec(group, null, peers, dir, fsync);
  }
}
