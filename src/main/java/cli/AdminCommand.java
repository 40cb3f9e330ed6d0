package cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import node.GroupAdmin;
import node.GroupMembers;
import raft.PeerId;
import raft.message.Membership;
import raft.message.MembershipChange;
import raft.peer.MembershipStatus;
import raft.rsm.AdminReply;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code bin/raftkv admin members|add-learner|promote|remove|transfer-leader}: change who belongs
 * to a running group, one step at a time, over Akka ({@code --config}) or any node's HTTP API
 * ({@code --http URL}). The work is done by a {@link GroupAdmin}; this parses and prints. On a
 * sharded node ({@code --http} only): {@code shards|join-group|leave-group|move-shard|move-replica|drain-node|nodes},
 * which print the node's JSON answer ({@link node.http.HttpShardAdmin}), and {@code watch}, which prints
 * each new configuration ({@link node.http.ConfigFollower}).
 */
@Command(name = "admin", mixinStandardHelpOptions = true,
    description = "List and change the members of a running group; move its leadership; on a sharded node (--http) list, join and remove groups, move shards and replicas, drain nodes.",
    exitCodeListHeading = "Exit codes:%n",
    exitCodeList = {"0:ok", "2:usage", "3:refused (the reason is printed; nothing changed)",
        "4:unavailable (no leader, timeout, cannot connect)"})
public final class AdminCommand {
  public static final int OK = 0;
  public static final int USAGE = 2;
  public static final int REFUSED = 3;
  public static final int UNAVAILABLE = 4;

  /** Connects the command to a group (tests pass their own). */
  @FunctionalInterface
  public interface Connector {
    GroupAdmin connect();
  }

  @Mixin KvTarget target = new KvTarget();
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Connector override;

  public AdminCommand() {
    this(null);
  }

  public AdminCommand(Connector override) {
    this.override = override;
  }

  @Command(name = "members", description = "Print the voters and learners, and each replica's view.")
  int members() {
    GroupMembers m = call(GroupAdmin::members);
    if (m == null) return UNAVAILABLE;
    Optional<MembershipStatus> view = m.view();
    if (view.isEmpty()) {
      err().println("unavailable: no replica answered");
      return UNAVAILABLE;
    }
    MembershipStatus v = view.get();
    out().printf("leader: %s  term: %d  membership from index %d%n",
        m.leader().map(s -> s.peer().id()).orElse("none"), v.term(), v.membershipIndex());
    out().println("voters:   " + ids(v.membership().voters()));
    out().println("learners: " + ids(v.membership().learners()));
    if (v.membership().isJoint()) out().println("outgoing: " + ids(v.membership().outgoing()) + " (joint consensus)");
    for (MembershipStatus s : m.replicas()) {
      out().printf("  %-6s %-9s term=%d last=%d commit=%d membership@%d%n", s.peer(), s.role(), s.term(), s.lastIndex(),
          s.commitIndex(), s.membershipIndex());
    }
    return OK;
  }

  @Command(name = "add-learner", description = "Add PEER as a learner: it receives the log, does not vote.")
  int addLearner(@Parameters(paramLabel = "PEER") String peer) {
    return change(new MembershipChange.AddLearner(PeerId.of(peer)), "added as a learner");
  }

  @Command(name = "promote", description = "Make the learner PEER a voter (once it has caught up).")
  int promote(@Parameters(paramLabel = "PEER") String peer) {
    return change(new MembershipChange.PromoteLearner(PeerId.of(peer)), "promoted to voter");
  }

  @Command(name = "remove", description = "Remove the voter or learner PEER (a leader hands over first).")
  int remove(@Parameters(paramLabel = "PEER") String peer) {
    return change(new MembershipChange.Remove(PeerId.of(peer)), "removed");
  }

  @Command(name = "transfer-leader", description = "Hand leadership to --to PEER (default: the most up-to-date voter).")
  int transferLeader(@Option(names = "--to", paramLabel = "PEER") String to) {
    Optional<PeerId> peer = Optional.ofNullable(to).map(PeerId::of);
    try (GroupAdmin admin = connect()) {
      AdminReply r = GroupAdmin.await(admin.transferLeadership(peer), target.timeout.plusSeconds(5));
      if (!(r instanceof AdminReply.TransferStarted started)) return print(r, "");
      out().println("transfer to " + started.target() + " started");
      GroupMembers after = admin.awaitLeader(started.target(), WAIT_FOR_LEADER);
      if (after.isLeader(started.target())) {
        out().println(started.target() + " leads at term " + after.leader().orElseThrow().term());
        return OK;
      }
      err().println("unavailable: " + started.target() + " does not lead after " + WAIT_FOR_LEADER.toSeconds()
          + " s (leader: " + after.leader().map(s -> s.peer().id()).orElse("none") + ")");
      return UNAVAILABLE;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNAVAILABLE;
    } catch (RuntimeException e) {
      err().println("unavailable: " + e.getMessage());
      return UNAVAILABLE;
    }
  }

  // ---- sharded nodes (HTTP only) -------------------------------------------------------------

  /** A join or leave waits for replicas to start or shards to move: minutes, not the KV timeout. */
  private static final Duration SHARD_ADMIN_TIMEOUT = Duration.ofMinutes(3);

  @Command(name = "shards", description = "Sharded node (--http): print the controller's latest configuration.")
  int shards() {
    return shardAdmin(a -> a.shards());
  }

  @Command(name = "join-group", description = "Sharded node (--http): create group GID with one replica on each NODE, then join it.")
  int joinGroup(@Parameters(index = "0", paramLabel = "GID") int gid,
      @Parameters(index = "1..*", arity = "1..*", paramLabel = "NODE") java.util.List<String> nodes) {
    return shardAdmin(a -> a.joinGroup(gid, nodes));
  }

  @Command(name = "leave-group", description = "Sharded node (--http): remove group GID; answers once its shards moved and its replicas are retired.")
  int leaveGroup(@Parameters(paramLabel = "GID") int gid) {
    return shardAdmin(a -> a.leaveGroup(gid));
  }

  @Command(name = "move-shard", description = "Sharded node (--http): put SHARD on group GID.")
  int moveShard(@Parameters(index = "0", paramLabel = "SHARD") int shard, @Parameters(index = "1", paramLabel = "GID") int gid) {
    return shardAdmin(a -> a.move(shard, gid));
  }

  @Command(name = "watch", description = "Sharded node (--http): print each new configuration as one JSON line, until "
      + "interrupted or --count lines.")
  int watch(@Option(names = "--after", defaultValue = "-1", paramLabel = "NUM",
          description = "start after configuration NUM (default -1: print the latest first)") long after,
      @Option(names = "--count", defaultValue = "0", paramLabel = "N", description = "stop after N configurations (0: never)") long count,
      @Option(names = "--poll", defaultValue = "30", paramLabel = "SECONDS", description = "each long poll's wait, 1..60") int poll) {
    if (poll < 1 || poll > node.http.ConfigFollower.MAX_POLL_SECONDS) {
      err().println("usage: --poll must be 1.." + node.http.ConfigFollower.MAX_POLL_SECONDS + " seconds, was " + poll);
      return USAGE;
    }
    return shardAdmin(a -> new node.http.ConfigFollower(a, poll).follow(after, count, line -> {
      out().println(line);
      out().flush();
    }));
  }

  @Command(name = "move-replica", description = "Sharded node (--http): move group GID's replica (GID ctrl: the controller's) "
      + "from node FROM to node TO (a new replica id on TO: learner, caught up, promoted, then the old one removed); FROM may be down.")
  int moveReplica(@Parameters(index = "0", paramLabel = "GID") String gid, @Parameters(index = "1", paramLabel = "FROM") String from,
      @Parameters(index = "2", paramLabel = "TO") String to) {
    return shardAdmin(a -> a.moveReplica(gid, from, to));
  }

  @Command(name = "drain-node", description = "Sharded node (--http): move every replica off NODE (the controller's too), one group "
      + "at a time; prints what moved and what is left. Then stop NODE.")
  int drainNode(@Parameters(paramLabel = "NODE") String node) {
    return shardAdmin(a -> a.drainNode(node));
  }

  @Command(name = "nodes", description = "Sharded node (--http): each node, whether it is up, its replicas; the replica moves running through that node.")
  int nodes() {
    return shardAdmin(a -> a.nodes());
  }

  private interface ShardCall {
    node.http.HttpShardAdmin.Answer run(node.http.HttpShardAdmin admin) throws java.io.IOException, InterruptedException;
  }

  /** Prints the node's JSON answer: on stdout with exit 0 for 200, else on stderr (3 refused, 4 unavailable). */
  private int shardAdmin(ShardCall call) {
    if (target.http == null) {
      err().println("usage: the sharded admin commands need --http URL of a sharded node");
      return USAGE;
    }
    try {
      var answer = call.run(new node.http.HttpShardAdmin(target.http, SHARD_ADMIN_TIMEOUT));
      if (answer.status() == 200) {
        if (!answer.body().isEmpty()) out().println(answer.body());
        return OK;
      }
      err().println(answer.body());
      return answer.status() >= 500 ? UNAVAILABLE : REFUSED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return UNAVAILABLE;
    } catch (java.io.IOException e) {
      err().println("unavailable: " + e);
      return UNAVAILABLE;
    }
  }

  /** A transfer completes or gives up within an election timeout (1-2 s by default). */
  private static final Duration WAIT_FOR_LEADER = Duration.ofSeconds(5);

  private int change(MembershipChange c, String done) {
    AdminReply r = call(a -> a.change(c));
    return r == null ? UNAVAILABLE : print(r, c.peer() + " " + done);
  }

  /** Prints {@code r} and returns its exit code. */
  int print(AdminReply r, String done) {
    if (r instanceof AdminReply.Changed c) {
      out().println(done + " (in force from index " + c.index() + "): " + describe(c.membership()));
      return OK;
    }
    if (r instanceof AdminReply.MembershipRefused m) {
      err().println("refused: " + m.reason() + m.peer().map(p -> " (" + p + ")").orElse(""));
      return REFUSED;
    }
    if (r instanceof AdminReply.TransferRefused t) {
      err().println("refused: " + t.reason() + t.target().map(p -> " (" + p + ")").orElse(""));
      return REFUSED;
    }
    if (r instanceof AdminReply.NotLeader n) {
      err().println("unavailable: no leader found" + n.leaderHint().map(h -> " (last hint: " + h + ")").orElse(""));
      return UNAVAILABLE;
    }
    if (r instanceof AdminReply.TransferInProgress t) {
      err().println("unavailable: leadership is moving to " + t.target() + "; retry shortly");
      return UNAVAILABLE;
    }
    err().println(r instanceof AdminReply.Unavailable u ? "unavailable: " + u.reason() : "unexpected answer: " + r);
    return UNAVAILABLE;
  }

  private static String describe(Membership m) {
    return "voters " + ids(m.voters()) + ", learners " + ids(m.learners())
        + (m.isJoint() ? ", outgoing " + ids(m.outgoing()) : "");
  }

  private static String ids(java.util.List<PeerId> ps) {
    return ps.isEmpty() ? "-" : String.join(" ", ps.stream().map(PeerId::id).toList());
  }

  private <T> T call(Function<GroupAdmin, CompletionStage<T>> op) {
    try (GroupAdmin a = connect()) {
      return GroupAdmin.await(op.apply(a), target.timeout.plusSeconds(5));
    } catch (RuntimeException e) {
      err().println("unavailable: " + e.getMessage());
      return null;
    }
  }

  private GroupAdmin connect() {
    return override != null ? override.connect() : target.connectAdmin();
  }

  private PrintWriter out() {
    return spec.commandLine().getOut();
  }

  private PrintWriter err() {
    return spec.commandLine().getErr();
  }
}
