package shardctrl;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import raft.rsm.StateMachine;

/**
 * The shard controller's replicated state (the lab's ShardCtrler state): every configuration ever
 * made, in order (configuration {@code i} at position {@code i}), and the shards pinned by a Move
 * (see {@link Rebalancer}), the record of the controller's own servers ({@link
 * ControllerServers}) and the registered nodes ({@link NodeRegistry}). Join, Leave, Move, AddServer,
 * RemoveServer, AddController and RemoveController each append one configuration; a refused command
 * appends none. The registered nodes are kept beside the configurations: registering one makes no
 * configuration, so no shard group has anything to apply. Deterministic, no I/O.
 *
 * <p>Mutable, owned by one replica; the configurations themselves are immutable values.
 */
public final class CtrlStateMachine implements StateMachine<CtrlCommand, CtrlReply> {

  private final int nShards;
  private final List<ShardConfig> history = new ArrayList<>();
  private final TreeSet<Integer> pinned = new TreeSet<>();
  private final NodeRegistry nodes = new NodeRegistry();
  /** The first int of a snapshot that holds the node registry (a count of shards is never negative). */
  private static final int WITH_NODES = -2;
  private final ControllerServers controllers = new ControllerServers();

  public CtrlStateMachine(int nShards) {
    this.nShards = nShards;
    history.add(ShardConfig.initial(nShards));
  }

  public int nShards() {
    return nShards;
  }

  public ShardConfig latest() {
    return history.get(history.size() - 1);
  }

  /** Every configuration, oldest first. */
  public List<ShardConfig> history() {
    return List.copyOf(history);
  }

  /** The shards currently pinned by a Move. */
  public SortedSet<Integer> pinned() {
    return Collections.unmodifiableSortedSet(new TreeSet<>(pinned));
  }

  @Override
  public CtrlReply apply(CtrlCommand command) {
    Optional<CtrlReply> malformed = command.malformed(nShards);
    if (malformed.isPresent()) return malformed.get();
    if (command instanceof CtrlCommand.Query q) return query(q);
    if (command instanceof CtrlCommand.Join j) return join(j);
    if (command instanceof CtrlCommand.Leave l) return leave(l);
    if (command instanceof CtrlCommand.Move m) return move(m);
    if (command instanceof CtrlCommand.AddServer a) return addServer(a);
    if (command instanceof CtrlCommand.RemoveServer r) return removeServer(r);
    if (command instanceof CtrlCommand.RegisterNode n) return nodes.register(n);
    if (command instanceof CtrlCommand.Nodes) return nodes.all();
    if (command instanceof CtrlCommand.QueryControllers) return new CtrlReply.Controllers(latest().num(), controllers.current());
    if (command instanceof CtrlCommand.AddController a) return controllersChanged(controllers.add(a));
    if (command instanceof CtrlCommand.RemoveController r) return controllersChanged(controllers.remove(r));
    throw new IllegalStateException("unhandled " + command);
  }

  @Override
  public boolean isReadOnly(CtrlCommand command) {
    return command.isRead();
  }

  private CtrlReply query(CtrlCommand.Query q) {
    boolean latest = q.num() == -1 || q.num() >= history.size();
    return new CtrlReply.Config(latest ? latest() : history.get((int) q.num()));
  }

  private CtrlReply join(CtrlCommand.Join j) {
    ShardConfig cur = latest();
    for (int gid : j.groups().keySet()) if (cur.groups().containsKey(gid)) return new CtrlReply.GidInUse(gid);
    TreeMap<Integer, List<String>> groups = new TreeMap<>(cur.groups());
    groups.putAll(j.groups());
    return rebalanced(cur, groups);
  }

  private CtrlReply leave(CtrlCommand.Leave l) {
    ShardConfig cur = latest();
    for (int gid : l.gids()) if (!cur.groups().containsKey(gid)) return new CtrlReply.UnknownGid(gid);
    TreeMap<Integer, List<String>> groups = new TreeMap<>(cur.groups());
    l.gids().forEach(groups::remove);
    return rebalanced(cur, groups);
  }

  private CtrlReply rebalanced(ShardConfig cur, TreeMap<Integer, List<String>> groups) {
    List<Integer> shards = Rebalancer.rebalance(cur.shards(), new TreeSet<>(groups.keySet()), pinned);
    SortedSet<Integer> kept = Rebalancer.keptPins(cur.shards(), shards, pinned);
    pinned.retainAll(kept);
    return appended(cur.next(shards, groups));
  }

  private CtrlReply move(CtrlCommand.Move m) {
    ShardConfig cur = latest();
    if (!cur.groups().containsKey(m.gid())) return new CtrlReply.UnknownGid(m.gid());
    List<Integer> shards = new ArrayList<>(cur.shards());
    shards.set(m.shard(), m.gid());
    pinned.add(m.shard());
    return appended(cur.next(shards, cur.groups()));
  }

  private CtrlReply addServer(CtrlCommand.AddServer a) {
    ShardConfig cur = latest();
    if (!cur.groups().containsKey(a.gid())) return new CtrlReply.UnknownGid(a.gid());
    for (ShardConfig c : history) {
      List<String> servers = c.groups().get(a.gid());
      if (servers != null && servers.contains(a.server())) return new CtrlReply.ServerUsedBefore(a.gid(), a.server());
    }
    TreeMap<Integer, List<String>> groups = new TreeMap<>(cur.groups());
    List<String> servers = new ArrayList<>(groups.get(a.gid()));
    servers.add(a.server());
    groups.put(a.gid(), servers);
    return appended(cur.next(cur.shards(), groups));
  }

  private CtrlReply removeServer(CtrlCommand.RemoveServer r) {
    ShardConfig cur = latest();
    List<String> servers = cur.groups().get(r.gid());
    if (servers == null) return new CtrlReply.UnknownGid(r.gid());
    if (!servers.contains(r.server())) return new CtrlReply.UnknownServer(r.gid(), r.server());
    if (servers.size() == 1)
      return new CtrlReply.Rejected("server " + r.server() + " is the last of group " + r.gid() + "; the group needs one");
    TreeMap<Integer, List<String>> groups = new TreeMap<>(cur.groups());
    List<String> left = new ArrayList<>(servers);
    left.remove(r.server());
    groups.put(r.gid(), left);
    return appended(cur.next(cur.shards(), groups));
  }

  /**
   * The controller's servers changed (refusal null): a configuration with the same shards and
   * groups follows, so that every watcher hears of it and reads the record again.
   */
  private CtrlReply controllersChanged(CtrlReply refusal) {
    if (refusal != null) return refusal;
    ShardConfig cur = latest();
    history.add(cur.next(cur.shards(), cur.groups()));
    return new CtrlReply.Controllers(latest().num(), controllers.current());
  }

  /** The controller's own servers as recorded (empty: none recorded, the bootstrap list stands). */
  public List<String> controllers() {
    return controllers.current();
  }

  private CtrlReply appended(ShardConfig next) {
    history.add(next);
    return new CtrlReply.Config(next);
  }

  @Override
  public void writeSnapshot(OutputStream os) throws IOException {
    DataOutputStream out = new DataOutputStream(os);
    out.writeInt(WITH_NODES); // before it, a snapshot began with nShards (> 0) and had no registry
    out.writeInt(nShards);
    out.writeInt(history.size());
    for (ShardConfig c : history) CtrlCodec.writeConfig(c, out);
    out.writeInt(pinned.size());
    for (int s : pinned) out.writeInt(s);
    nodes.write(out);
    controllers.write(out); // last: ControllerServers.read takes a snapshot that ends before it as "nothing recorded"
    out.flush();
  }

  /** @throws IllegalArgumentException if the snapshot is unreadable or was made for another number of shards */
  @Override
  public void restore(InputStream is) {
    try {
      DataInputStream in = new DataInputStream(is);
      int first = in.readInt();
      boolean withNodes = first == WITH_NODES;
      int n = withNodes ? in.readInt() : first;
      if (n != nShards) {
        throw new IllegalArgumentException("snapshot has " + n + " shards, this controller " + nShards);
      }
      List<ShardConfig> configs = new ArrayList<>();
      int size = in.readInt();
      for (int i = 0; i < size; i++) configs.add(CtrlCodec.readConfig(in));
      TreeSet<Integer> pins = new TreeSet<>();
      int p = in.readInt();
      for (int i = 0; i < p; i++) pins.add(in.readInt());
      if (withNodes) { // the registry, then the controller record (absent from a snapshot written before it)
        nodes.read(in);
        controllers.read(in);
      } else { // the first format: neither
        nodes.clear();
        controllers.clear();
      }
      history.clear();
      history.addAll(configs);
      pinned.clear();
      pinned.addAll(pins);
    } catch (IOException e) {
      throw new IllegalArgumentException("unreadable shard controller snapshot: " + e, e);
    }
  }
}
