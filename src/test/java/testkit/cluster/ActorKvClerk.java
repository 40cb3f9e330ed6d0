package testkit.cluster;

import java.util.List;
import kvraft.AkkaKvClient;
import kvraft.KvCommand;
import kvraft.KvReply;
import kvraft.KvServer;
import testkit.net.SimNetwork;

/**
 * The lab's Clerk over {@link ActorKvCluster}: the shipped {@link AkkaKvClient} (leader hints, a
 * cached leader, retries under the same (clientId, seq)) behind one network end per server. The
 * client's deadline is longer than the test may run, so it retries for as long as the lab's
 * clerk does; a Timeout reply means the run overstayed the lab's limit and fails it.
 */
public final class ActorKvClerk implements LabKv.Clerk {
  private final ActorKvCluster cfg;
  private final AkkaKvClient client;
  /** The clerk's end to each server, by server index. */
  private final List<SimNetwork.End<KvServer.Command>> ends;

  ActorKvClerk(ActorKvCluster cfg, AkkaKvClient client, List<SimNetwork.End<KvServer.Command>> ends) {
    this.cfg = cfg;
    this.client = client;
    this.ends = List.copyOf(ends);
  }

  @Override
  public void connectOnly(int... to) {
    boolean[] on = new boolean[ends.size()];
    for (int s : to) on[s] = true;
    for (int i = 0; i < on.length; i++) ends.get(i).enable(on[i]);
  }

  @Override
  public String get(String key) {
    KvReply r = execute(new KvCommand.Get(key));
    return r instanceof KvReply.Value v ? v.value() : "";
  }

  @Override
  public void put(String key, String value) {
    execute(new KvCommand.Put(key, value));
  }

  @Override
  public void append(String key, String value) {
    execute(new KvCommand.Append(key, value));
  }

  private KvReply execute(KvCommand command) {
    cfg.procs().checkOpen();
    KvReply r = cfg.await(client.execute(command));
    cfg.procs().checkOpen();
    if (r instanceof KvReply.Rejected rej) throw new AssertionError("server rejected " + command + ": " + rej.reason());
    if (!r.isResult()) throw new AssertionError(command + " was answered " + r + " (the clerk gave up)");
    cfg.opCompleted();
    return r;
  }

  void close() {
    client.close();
  }
}
