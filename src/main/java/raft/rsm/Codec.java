package raft.rsm;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Binary encoding of a service's commands or results, used for log entries and snapshots. Written
 * by hand over {@link DataOutput} (not Jackson) because it runs for every entry on every replica
 * and its format is part of the journal: it must stay stable and compact.
 */
public interface Codec<T> {

  void write(T value, DataOutput out) throws IOException;

  T read(DataInput in) throws IOException;
}
