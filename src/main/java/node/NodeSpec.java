package node;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import raft.GroupId;
import raft.PeerId;
import raft.message.Membership;

/**
 * What one KV process hosts ({@code raftkv.node}): the replicas of {@code group} listed in
 * {@code peers} (id to {@code host:port}: every peer that is or may become a member); {@code self}
 * is the one this process runs, or null in local mode, where one process runs them all.
 *
 * @param initialVoters the voters of a new group (empty: every peer); used only while a replica's
 *     journal is empty, after that its membership comes from its journal and snapshot
 * @param join this replica starts as a new member: it bootstraps no membership of its own and
 *     waits for the leader to add it (as a learner, then promote it)
 */
public record NodeSpec(GroupId group, PeerId self, Map<PeerId, String> peers, Path dataDir, boolean fsync,
    List<PeerId> initialVoters, boolean join) {

  /** The name of every KV ActorSystem; part of every peer and client address. */
  public static final String SYSTEM_NAME = "raftkv";

  public NodeSpec {
    Objects.requireNonNull(group, "group");
    Objects.requireNonNull(dataDir, "dataDir");
    peers = Map.copyOf(peers);
    initialVoters = initialVoters.stream().distinct().sorted().toList();
  }

  /** Every peer a voter of the new group, this replica one of them. */
  public NodeSpec(GroupId group, PeerId self, Map<PeerId, String> peers, Path dataDir, boolean fsync) {
    this(group, self, peers, dataDir, fsync, List.of(), false);
  }

  public NodeSpec validate() {
    if (peers.isEmpty()) throw new IllegalArgumentException("no peers configured");
    if (self != null && !peers.containsKey(self))
      throw new IllegalArgumentException("id " + self + " is not among the peers " + peers.keySet());
    for (String hostPort : peers.values()) {
      if (self != null && !hostPort.matches("[^:]+:\\d+"))
        throw new IllegalArgumentException("peer address must be host:port, was '" + hostPort + "'");
    }
    for (PeerId v : initialVoters) {
      if (!peers.containsKey(v))
        throw new IllegalArgumentException("initial voter " + v + " is not among the peers " + peers.keySet());
    }
    if (join && self == null) throw new IllegalArgumentException("join needs an id: local mode bootstraps its group");
    if (self != null && !join && !initialVoters().contains(self))
      throw new IllegalArgumentException("id " + self + " is not among the initial voters " + initialVoters()
          + "; set raftkv.node.join = true to start it as a new member that waits to be added");
    if (bootstrap().voters().isEmpty())
      throw new IllegalArgumentException("a joining replica needs another peer to be added by, peers: " + peers.keySet());
    return this;
  }

  /** The voters of a new group: the configured initial voters, or every peer. */
  @Override
  public List<PeerId> initialVoters() {
    return initialVoters.isEmpty() ? voters() : initialVoters;
  }

  /**
   * The membership of an empty journal: the initial voters; without this replica if it joins (it
   * then never campaigns until the leader's log, applied, makes it a voter).
   */
  public Membership bootstrap() {
    return Membership.ofVoters(initialVoters().stream().filter(p -> !(join && p.equals(self))).toList());
  }

  /** The same replica with its data under {@code dir}. */
  public NodeSpec withDataDir(Path dir) {
    return new NodeSpec(group, self, peers, dir, fsync, initialVoters, join);
  }

  public boolean isLocal() {
    return self == null;
  }

  /** Every peer of the address book, in id order (voters, learners, and peers that may be added). */
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
    return new NodeSpec(group, null, peers, dir, fsync, initialVoters, false);
  }
}
