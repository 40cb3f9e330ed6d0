package mapreduce;

/** One intermediate pair emitted by {@link MapReduceApp#map}, as the lab's {@code mr.KeyValue}. */
public record KeyValue(String key, String value) {}
