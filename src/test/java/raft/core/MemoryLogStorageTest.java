package raft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import raft.message.LogEntry;
import raft.message.Snapshot;
import raft.message.SnapshotMeta;
import testkit.SeedExtension;
import wire.Bytes;

/** The running byte total behind raftStateSize() matches a recount after any mix of writes. */
@ExtendWith(SeedExtension.class)
class MemoryLogStorageTest {

  private static long recount(MemoryLogStorage s) {
    long size = 24;
    if (s.lastIndex() > s.snapshotMeta().index()) {
      for (LogEntry e : s.entries(s.snapshotMeta().index() + 1, s.lastIndex() + 1, Long.MAX_VALUE)) size += e.sizeBytes();
    }
    return size;
  }

  @Test
  void raftStateSizeFollowsAppendsTruncationsCompactionsAndInstalls(long seed) {
    SplittableRandom rnd = new SplittableRandom(seed);
    MemoryLogStorage s = new MemoryLogStorage();
    long term = 1;
    for (int step = 0; step < 2000; step++) {
      int action = rnd.nextInt(10);
      long first = s.snapshotMeta().index() + 1;
      if (action < 6) {
        long from = first + rnd.nextLong(s.lastIndex() - first + 2);
        if (rnd.nextInt(4) == 0) term++;
        List<LogEntry> batch = new ArrayList<>();
        for (int i = 0, n = 1 + rnd.nextInt(4); i < n; i++) {
          batch.add(new LogEntry(from + i, term, Bytes.wrap(new byte[rnd.nextInt(50)])));
        }
        s.append(batch);
      } else if (action < 8 && s.lastIndex() >= first) {
        s.compact(first + rnd.nextLong(s.lastIndex() - first + 1), Bytes.utf8("snap"));
      } else if (action == 8 && s.lastIndex() >= first) {
        long at = first + rnd.nextLong(s.lastIndex() - first + 1);
        s.installSnapshot(new Snapshot(new SnapshotMeta(at, s.term(at)), Bytes.utf8("a leader's, at a held entry")));
      } else if (action == 9) {
        term++;
        s.installSnapshot(new Snapshot(new SnapshotMeta(s.lastIndex() + 3, term), Bytes.utf8("replaces all")));
      }
      assertEquals(recount(s), s.raftStateSize(), "after step " + step);
      assertEquals(recount(s), s.copy().raftStateSize(), "copy, after step " + step);
    }
  }
}
