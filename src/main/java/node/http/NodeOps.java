package node.http;

import java.util.Set;
import raft.PeerId;

/**
 * What the operations routes (/livez, /readyz, /metrics) need to know about the node: the group
 * label, which replicas are local (empty: every replica that answers), and the apply lag
 * (commit index minus applied index) above which a replica is not ready.
 */
public record NodeOps(String group, Set<PeerId> local, long maxApplyLag) {
  public static final long DEFAULT_MAX_APPLY_LAG = 1000;

  public NodeOps {
    local = Set.copyOf(local);
    if (maxApplyLag < 0) throw new IllegalArgumentException("maxApplyLag must be >= 0, got " + maxApplyLag);
  }

  public static NodeOps defaults() {
    return new NodeOps("default", Set.of(), DEFAULT_MAX_APPLY_LAG);
  }
}
