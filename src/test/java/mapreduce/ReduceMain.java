package mapreduce;

import java.nio.file.Path;

/** Runs one reduce task in this JVM, for {@link ReduceMemoryTest}'s child process: {@code DIR N_MAP REDUCE [FAN_IN]}. */
public final class ReduceMain {
  private ReduceMain() {}

  public static void main(String[] args) throws Exception {
    int fanIn = args.length > 3 ? Integer.parseInt(args[3]) : TaskRunner.DEFAULT_FAN_IN;
    TaskStats s = new TaskRunner(new SizeApp(), Path.of(args[0]), fanIn, TaskRunner.DEFAULT_BUFFER)
        .runReduce(TaskId.reduce(Integer.parseInt(args[2])), Integer.parseInt(args[1]));
    System.out.println("reduced " + s.intermediateRead() + " B with max heap " + Runtime.getRuntime().maxMemory() + " B, "
        + s.extraMergePasses() + " extra passes");
  }

  /** reduce: the number of values and their total length; nothing is kept across keys. */
  public static final class SizeApp implements MapReduceApp {
    @Override
    public java.util.List<KeyValue> map(String file, String contents) {
      throw new UnsupportedOperationException("SizeApp only reduces");
    }

    @Override
    public String reduce(String key, java.util.List<String> values) {
      long n = 0;
      for (String v : values) {
        n += v.length();
      }
      return values.size() + " " + n;
    }
  }
}
