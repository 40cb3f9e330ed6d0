package raft.rsm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Calls waiting for their entry to be applied, keyed by the (index, term) the leader gave the
 * proposal. When the entry at that index is applied, the call is answered if the term matches;
 * if another leader's entry took the index, the proposal was lost and the caller must retry
 * (its sequence number makes the retry safe). Mutable, owned by one actor or process.
 *
 * @param <T> whatever identifies the caller (an actor ref, a simulated channel)
 */
public final class PendingCalls<T> {

  /** A call that is over: {@code applied} says whether its own entry was the one applied. */
  public record Finished<T>(T caller, boolean applied) {}

  private record Call<T>(long term, T caller) {}

  private final TreeMap<Long, List<Call<T>>> byIndex = new TreeMap<>();
  private int size;

  public void add(long index, long term, T caller) {
    byIndex.computeIfAbsent(index, i -> new ArrayList<>(1)).add(new Call<>(term, caller));
    size++;
  }

  public int size() {
    return size;
  }

  /** The calls ended by applying the entry ({@code index}, {@code term}); also any left below it. */
  public List<Finished<T>> applied(long index, long term) {
    List<Finished<T>> out = new ArrayList<>();
    Iterator<Map.Entry<Long, List<Call<T>>>> it = byIndex.headMap(index, true).entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Long, List<Call<T>>> e = it.next();
      for (Call<T> c : e.getValue()) {
        out.add(new Finished<>(c.caller(), e.getKey() == index && c.term() == term));
      }
      size -= e.getValue().size();
      it.remove();
    }
    return out;
  }

  /** Every call at or below {@code index}, which a snapshot replaced: none of them learns its result. */
  public List<Finished<T>> coveredBySnapshot(long index) {
    return applied(index, -1);
  }

  /** All calls, e.g. when this peer stops leading; their callers retry. */
  public List<Finished<T>> drain() {
    return byIndex.isEmpty() ? List.of() : applied(byIndex.lastKey(), -1);
  }
}
