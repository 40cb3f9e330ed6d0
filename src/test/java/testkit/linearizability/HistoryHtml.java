package testkit.linearizability;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import testkit.linearizability.CheckResult.PartitionReport;

/**
 * Writes a failed check as a self-contained HTML page: one lane per client, each operation a bar
 * on a time axis (event order, so short and long operations stay readable), the failing partition's
 * operations highlighted, the longest linearizable prefix numbered in linearization order and the
 * operation the search got stuck on marked. Other operations are drawn faintly when they overlap
 * the failing partition in time (at most {@link #MAX_CONTEXT} of them).
 */
public final class HistoryHtml {
  static final int MAX_CONTEXT = 3000;
  private static final int UNIT = 16;
  private static final int LANE = 30;

  private HistoryHtml() {}

  /** The directory failures go to: {@code target/linearizability} unless {@code -Dlinearizability.dir}. */
  public static Path directory() {
    return Path.of(System.getProperty("linearizability.dir", "target/linearizability")).toAbsolutePath();
  }

  public static <S, I, O> Path write(String name, Model<S, I, O> model, CheckResult<I, O> result) {
    PartitionReport<I, O> failed = result.smallestFailure()
        .orElseThrow(() -> new IllegalArgumentException("nothing to show: " + result.summary()));
    Map<Operation<I, O>, Integer> focus = new IdentityHashMap<>();
    List<Operation<I, O>> fops = failed.operations();
    for (int i = 0; i < fops.size(); i++) {
      focus.put(fops.get(i), i);
    }
    Map<Integer, Integer> order = new HashMap<>();
    for (int k = 0; k < failed.longestPrefix().size(); k++) {
      order.put(failed.longestPrefix().get(k), k + 1);
    }
    long from = Long.MAX_VALUE;
    long to = Long.MIN_VALUE;
    for (Operation<I, O> op : fops) {
      from = Math.min(from, op.call());
      to = Math.max(to, op.isPending() ? op.call() : op.ret());
    }
    List<Operation<I, O>> shown = new ArrayList<>(fops);
    int context = 0;
    for (Operation<I, O> op : result.history()) {
      if (!focus.containsKey(op) && op.call() <= to && op.ret() >= from && context < MAX_CONTEXT) {
        shown.add(op);
        context++;
      }
    }
    TreeSet<Long> times = new TreeSet<>();
    for (Operation<I, O> op : shown) {
      times.add(op.call());
      if (!op.isPending()) {
        times.add(op.ret());
      }
    }
    Map<Long, Integer> rank = new HashMap<>();
    int r = 0;
    for (long t : times) {
      rank.put(t, r++);
    }
    int end = r + 1;
    TreeMap<Integer, Integer> laneOf = new TreeMap<>();
    for (Operation<I, O> op : shown) {
      laneOf.putIfAbsent(op.clientId(), 0);
    }
    int lanes = 0;
    for (Map.Entry<Integer, Integer> e : laneOf.entrySet()) {
      e.setValue(lanes++);
    }
    ModelView<I, O> view = model::describeOperation;

    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").append(esc(name))
        .append(" — not linearizable</title><style>")
        .append("body{font:13px sans-serif;margin:16px}.tl{position:relative;border:1px solid #ccc;overflow-x:auto}")
        .append(".lane{position:absolute;left:0;font:11px monospace;color:#555}")
        .append(".op{position:absolute;height:20px;box-sizing:border-box;border:1px solid #888;border-radius:3px;")
        .append("font:10px monospace;overflow:hidden;white-space:nowrap;padding:2px}")
        .append(".ctx{background:#ccc;opacity:.6;height:6px;margin-top:21px;padding:0;font-size:0}.focus{background:#ffd27f;border-color:#c80}")
        .append(".lin{background:#9be39b;border-color:#393}.stuck{background:#ff7b7b;border:2px solid #b00}")
        .append(".pending{border-style:dashed}table{border-collapse:collapse;margin-top:16px}")
        .append("td,th{border:1px solid #ccc;padding:2px 6px;font:12px monospace;text-align:left}")
        .append("</style></head><body>");
    h.append("<h2>").append(esc(name)).append(": ").append(result.outcome()).append("</h2>");
    h.append("<p>").append(esc(result.summary())).append("</p>");
    h.append("<p>Partition <b>").append(esc(failed.label())).append("</b>: ").append(fops.size())
        .append(" operations, ").append(failed.outcome()).append(" after ").append(failed.steps()).append(" steps. ")
        .append("Longest linearizable prefix: <b>").append(failed.longestPrefix().size()).append("</b> of ")
        .append(fops.size()).append(" operations (green, numbered in linearization order).");
    if (failed.stuckAt() >= 0) {
      h.append(" Stuck at (red): <code>").append(esc(describe(view, fops.get(failed.stuckAt()))))
          .append("</code>, which returned but cannot be linearized after the prefix.");
    }
    if (failed.stateAfterPrefix() != null) {
      h.append(" State after the prefix: <code>").append(esc(failed.stateAfterPrefix())).append("</code>");
    }
    h.append("</p><p>Orange: other operations of the partition. Thin grey: overlapping operations of other partitions (hover).")
        .append(" Dashed: pending (never returned). Hover a bar for details. x axis: event order.</p>");
    h.append("<div class=\"tl\" style=\"height:").append(lanes * LANE + 10).append("px;width:")
        .append(80 + end * UNIT).append("px\">");
    for (Map.Entry<Integer, Integer> e : laneOf.entrySet()) {
      h.append("<div class=\"lane\" style=\"top:").append(e.getValue() * LANE + 6).append("px\">c")
          .append(e.getKey()).append("</div>");
    }
    for (Operation<I, O> op : shown) {
      Integer idx = focus.get(op);
      String cls;
      String label = "";
      if (idx == null) {
        cls = "ctx";
      } else if (idx == failed.stuckAt()) {
        cls = "stuck";
        label = "✗ ";
      } else if (order.containsKey(idx)) {
        cls = "lin";
        label = "#" + order.get(idx) + " ";
      } else {
        cls = "focus";
      }
      if (op.isPending()) {
        cls += " pending";
      }
      int x0 = rank.get(op.call());
      int x1 = op.isPending() ? end : rank.get(op.ret());
      String text = describe(view, op);
      h.append("<div class=\"op ").append(cls).append("\" style=\"left:").append(60 + x0 * UNIT)
          .append("px;width:").append(Math.max(UNIT, (x1 - x0) * UNIT + UNIT / 2)).append("px;top:")
          .append(laneOf.get(op.clientId()) * LANE + 4).append("px\" title=\"")
          .append(esc("client " + op.clientId() + ": " + text + "\ncall " + op.call() + " ns, return "
              + (op.isPending() ? "never (pending)" : op.ret() + " ns"))).append("\">")
          .append(esc(label + text)).append("</div>");
    }
    h.append("</div>");
    h.append("<table><tr><th>#</th><th>lin.</th><th>client</th><th>call ns</th><th>return ns</th><th>operation</th></tr>");
    Integer[] byCall = new Integer[fops.size()];
    for (int i = 0; i < byCall.length; i++) {
      byCall[i] = i;
    }
    Arrays.sort(byCall, (a, b) -> Long.compare(fops.get(a).call(), fops.get(b).call()));
    for (int i : byCall) {
      Operation<I, O> op = fops.get(i);
      h.append("<tr").append(i == failed.stuckAt() ? " style=\"background:#fcc\"" : "").append("><td>").append(i)
          .append("</td><td>").append(order.containsKey(i) ? "#" + order.get(i) : "").append("</td><td>")
          .append(op.clientId()).append("</td><td>").append(op.call()).append("</td><td>")
          .append(op.isPending() ? "pending" : String.valueOf(op.ret())).append("</td><td>")
          .append(esc(describe(view, op))).append("</td></tr>");
    }
    h.append("</table></body></html>");
    try {
      Path dir = directory();
      Files.createDirectories(dir);
      String safe = name.replaceAll("[^A-Za-z0-9_.-]", "_");
      Path file = dir.resolve(safe + "-" + System.currentTimeMillis() + ".html");
      Files.writeString(file, h, StandardCharsets.UTF_8);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private interface ModelView<I, O> {
    String describe(I input, O output);
  }

  private static <I, O> String describe(ModelView<I, O> view, Operation<I, O> op) {
    return view.describe(op.input(), op.output());
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
