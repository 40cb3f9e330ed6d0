package raft.message;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import raft.Describable;
import raft.PeerId;
import wire.Bytes;
import wire.CborSerializable;

/**
 * Who belongs to a Raft group (etcd's {@code ConfState}): the voters, the learners (they receive
 * the log and snapshots but never vote and never count toward a commit or an election) and, while
 * the group is in joint consensus, the voters of the configuration it is leaving ({@code outgoing};
 * empty otherwise). In joint consensus every decision needs a majority of {@code voters} AND a
 * majority of {@code outgoing}. A peer is in at most one of voters and learners. Lists are sorted
 * and without duplicates, so equal memberships are equal records.
 */
public record Membership(List<PeerId> voters, List<PeerId> learners, List<PeerId> outgoing)
    implements CborSerializable, Describable {
  /** No membership known (a snapshot written before memberships were recorded): use the bootstrap one. */
  public static final Membership EMPTY = new Membership(List.of(), List.of(), List.of());

  public Membership {
    voters = sorted(voters);
    learners = sorted(learners);
    outgoing = sorted(outgoing);
    for (PeerId l : learners) {
      if (voters.contains(l) || outgoing.contains(l))
        throw new IllegalArgumentException("peer " + l + " is both a voter and a learner");
    }
  }

  /** A simple (not joint) configuration of these voters and no learners. */
  public static Membership ofVoters(Iterable<PeerId> voters) {
    List<PeerId> vs = new ArrayList<>();
    voters.forEach(vs::add);
    return new Membership(vs, List.of(), List.of());
  }

  private static List<PeerId> sorted(List<PeerId> ids) {
    return ids == null ? List.of() : List.copyOf(new TreeSet<>(ids));
  }
  public boolean isEmpty() {
    return voters.isEmpty() && learners.isEmpty() && outgoing.isEmpty();
  }
  public boolean isJoint() {
    return !outgoing.isEmpty();
  }

  /** A voter of the incoming or (in joint consensus) the outgoing configuration. */
  public boolean isVoter(PeerId p) {
    return voters.contains(p) || outgoing.contains(p);
  }

  public boolean isLearner(PeerId p) {
    return learners.contains(p);
  }

  public boolean contains(PeerId p) {
    return isVoter(p) || learners.contains(p);
  }

  /** Every peer the leader replicates to (and this peer listens to): voters of both sides and learners, sorted. */
  public List<PeerId> members() {
    TreeSet<PeerId> all = new TreeSet<>(voters);
    all.addAll(outgoing);
    all.addAll(learners);
    return List.copyOf(all);
  }

  /** The configuration a joint one leaves to: the incoming voters and the learners. */
  public Membership leaveJoint() {
    return new Membership(voters, learners, List.of());
  }

  public String describe() {
    return "voters " + voters + (outgoing.isEmpty() ? "" : " & " + outgoing) + (learners.isEmpty() ? "" : " learners " + learners);
  }

  // ---- the payload of a CONF_CHANGE entry: length-prefixed ids, so any id text is safe ----

  public Bytes encode() {
    StringBuilder sb = new StringBuilder();
    for (List<PeerId> ids : List.of(voters, learners, outgoing)) {
      sb.append(ids.size()).append(';');
      for (PeerId p : ids) sb.append(p.id().length()).append(':').append(p.id());
    }
    return Bytes.utf8(sb.toString());
  }

  /** @throws IllegalArgumentException if {@code data} is not an {@link #encode()}d membership */
  public static Membership decode(Bytes data) {
    String s = data.utf8();
    int[] pos = {0};
    try {
      List<List<PeerId>> parts = new ArrayList<>();
      for (int k = 0; k < 3; k++) {
        int count = Integer.parseInt(until(s, pos, ';'));
        List<PeerId> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
          int len = Integer.parseInt(until(s, pos, ':'));
          ids.add(PeerId.of(s.substring(pos[0], pos[0] + len)));
          pos[0] += len;
        }
        parts.add(ids);
      }
      if (pos[0] != s.length()) throw new IllegalArgumentException("trailing bytes");
      return new Membership(parts.get(0), parts.get(1), parts.get(2));
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a membership: '" + s + "' (" + e.getMessage() + ")", e);
    }
  }

  private static String until(String s, int[] pos, char c) {
    int end = s.indexOf(c, pos[0]);
    if (end < 0) throw new IllegalArgumentException("missing '" + c + "'");
    String out = s.substring(pos[0], end);
    pos[0] = end + 1;
    return out;
  }
}
