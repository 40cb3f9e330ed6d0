package mapreduce;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * A k-way merge of sorted runs ({@link IntermediateReader}s): {@link #next()} moves to the next
 * key in order and gathers its values from every run that has it. Memory is one buffer per run plus
 * the current key's values, however large the runs are.
 */
final class SortedMerge implements AutoCloseable {
  private final List<IntermediateReader> readers;
  private final PriorityQueue<IntermediateReader> heap =
      new PriorityQueue<>(Comparator.comparing(IntermediateReader::key));
  private String key;
  private List<String> values = List.of();
  private long bytes;

  /** Takes ownership of {@code readers}: {@link #close()} closes them all. */
  SortedMerge(List<IntermediateReader> readers) throws IOException {
    this.readers = List.copyOf(readers);
    for (IntermediateReader r : this.readers) {
      bytes += r.size();
      if (r.next()) {
        heap.add(r);
      }
    }
  }

  boolean next() throws IOException {
    IntermediateReader first = heap.poll();
    if (first == null) {
      key = null;
      values = List.of();
      return false;
    }
    key = first.key();
    List<String> vs = new ArrayList<>(first.values());
    advance(first);
    while (!heap.isEmpty() && heap.peek().key().equals(key)) {
      IntermediateReader r = heap.poll();
      vs.addAll(r.values());
      advance(r);
    }
    values = vs;
    return true;
  }

  String key() {
    return key;
  }

  /** The current key's values from every run (a fresh list per key). */
  List<String> values() {
    return values;
  }

  /** Total size of the merged runs in bytes. */
  long bytes() {
    return bytes;
  }

  private void advance(IntermediateReader r) throws IOException {
    if (r.next()) {
      heap.add(r);
    }
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (IntermediateReader r : readers) {
      try {
        r.close();
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
