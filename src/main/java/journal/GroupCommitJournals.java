package journal;

import akka.actor.AbstractExtensionId;
import akka.actor.ExtendedActorSystem;
import akka.actor.Extension;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The counters of the group-commit journals of one ActorSystem, by plugin id (an Akka extension,
 * so they live as long as the system, across restarts of a journal actor). Metrics and tests read
 * them here: {@code GroupCommitJournals.get(system).counters()}.
 */
public final class GroupCommitJournals implements Extension {
  private static final Id ID = new Id();
  private final Map<String, JournalCounters> byPlugin = new ConcurrentHashMap<>();

  private static final class Id extends AbstractExtensionId<GroupCommitJournals> {
    @Override
    public GroupCommitJournals createExtension(ExtendedActorSystem system) {
      return new GroupCommitJournals();
    }
  }

  public static GroupCommitJournals get(akka.actor.ActorSystem system) {
    return ID.get(system);
  }

  public static GroupCommitJournals get(akka.actor.typed.ActorSystem<?> system) {
    return ID.get(akka.actor.typed.javadsl.Adapter.toClassic(system));
  }

  /** The counters of the journal plugin {@code pluginId}, created at zero on first use. */
  public JournalCounters counters(String pluginId) {
    return byPlugin.computeIfAbsent(pluginId, id -> new JournalCounters());
  }

  /** Every journal plugin that has started in this system, by id, in order. */
  public Map<String, JournalCounters> counters() {
    return new TreeMap<>(byPlugin);
  }
}
