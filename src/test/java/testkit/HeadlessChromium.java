package testkit;

import bench.VersusEtcd;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The OS's Chromium, headless, for tests of the pages a node serves: {@link #dumpDom} (load, run
 * the page's scripts for a while, print the DOM) and {@link #open} (a live page driven through the
 * DevTools protocol over the JDK's WebSocket client, to read the DOM while the test changes the cluster).
 * Every browser gets its own profile directory under {@code target/}.
 */
public final class HeadlessChromium {
  public static final String INSTALL_HINT = "install it (Debian 12: apt-get install -y chromium)";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final List<String> NAMES = List.of("chromium", "chromium-browser");

  private final Path binary;

  private HeadlessChromium(Path binary) {
    this.binary = binary;
  }

  /** Chromium on PATH, if there is one. */
  public static Optional<HeadlessChromium> onPath() {
    for (String name : NAMES) {
      Optional<Path> p = VersusEtcd.onPath(name, System.getenv("PATH"));
      if (p.isPresent()) return Optional.of(new HeadlessChromium(p.get()));
    }
    return Optional.empty();
  }

  private List<String> command(Path profile, String... more) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless=new", "--no-sandbox", "--disable-gpu",
        "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--user-data-dir=" + profile));
    cmd.addAll(List.of(more));
    return cmd;
  }

  private static Path profile() throws IOException {
    return Files.createTempDirectory(Files.createDirectories(Path.of("target", "chromium")), "profile-");
  }

  /** The DOM of {@code url} after its scripts ran for {@code budget} of virtual time. */
  public String dumpDom(String url, Duration budget, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(command(profile(), "--dump-dom", "--virtual-time-budget=" + budget.toMillis(), url))
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    try {
      CompletableFuture<byte[]> out = CompletableFuture.supplyAsync(() -> {
        try {
          return p.getInputStream().readAllBytes();
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) throw new AssertionError("chromium --dump-dom took over " + timeout);
      if (p.exitValue() != 0) throw new AssertionError("chromium --dump-dom exited " + p.exitValue());
      return new String(out.get(10, TimeUnit.SECONDS), StandardCharsets.UTF_8);
    } finally {
      stop(p);
    }
  }

  /** Opens {@code url} in a new headless browser; close the page to stop it. */
  public Page open(String url, Duration timeout) throws Exception {
    Process p = new ProcessBuilder(command(profile(), "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0", url))
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      // Chromium says on stderr where DevTools listens; the rest of stderr is drained and dropped.
      CompletableFuture<URI> browser = new CompletableFuture<>();
      Thread drain = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
          for (String line; (line = r.readLine()) != null; ) {
            int at = line.indexOf("DevTools listening on ");
            if (at >= 0) browser.complete(URI.create(line.substring(at + "DevTools listening on ".length()).trim()));
          }
        } catch (IOException e) {
          browser.completeExceptionally(e);
        }
        browser.completeExceptionally(new IllegalStateException("chromium ended without a DevTools address"));
      }, "chromium-stderr");
      drain.setDaemon(true);
      drain.start();
      URI ws = browser.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      HttpClient http = HttpClient.newHttpClient();
      URI list = URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list");
      long deadline = System.nanoTime() + timeout.toNanos();
      while (true) {
        JsonNode targets = JSON.readTree(http.send(HttpRequest.newBuilder(list).build(), HttpResponse.BodyHandlers.ofString()).body());
        for (JsonNode t : targets) {
          if (t.path("type").asText().equals("page") && t.path("url").asText().startsWith(url)) {
            return new Page(p, http, URI.create(t.path("webSocketDebuggerUrl").asText()), timeout);
          }
        }
        if (System.nanoTime() > deadline) throw new AssertionError("no page for " + url + " in " + targets);
        Thread.sleep(100);
      }
    } catch (Exception | AssertionError e) {
      stop(p);
      throw e;
    }
  }

  private static void stop(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One page of a running browser, over the DevTools protocol; closing it stops the browser. */
  public static final class Page implements AutoCloseable {
    private final Process process;
    private final WebSocket socket;
    private final Duration timeout;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();

    private Page(Process process, HttpClient http, URI ws, Duration timeout) throws Exception {
      this.process = process;
      this.timeout = timeout;
      this.socket = http.newWebSocketBuilder().buildAsync(ws, new WebSocket.Listener() {
        private final StringBuilder text = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
          text.append(data);
          if (last) {
            answer(text.toString());
            text.setLength(0);
          }
          w.request(1);
          return null;
        }
      }).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void answer(String message) {
      try {
        JsonNode m = JSON.readTree(message);
        if (!m.has("id")) return; // an event: none subscribed
        CompletableFuture<JsonNode> f = calls.remove(m.get("id").asInt());
        if (f != null) f.complete(m);
      } catch (IOException e) {
        calls.values().forEach(f -> f.completeExceptionally(e));
      }
    }

    /** The value of a JavaScript expression in the page (JSON-serializable), via Runtime.evaluate. */
    public JsonNode evaluate(String expression) throws Exception {
      int id = ids.incrementAndGet();
      CompletableFuture<JsonNode> reply = new CompletableFuture<>();
      calls.put(id, reply);
      ObjectNode call = JSON.createObjectNode().put("id", id).put("method", "Runtime.evaluate");
      call.putObject("params").put("expression", expression).put("returnByValue", true);
      socket.sendText(JSON.writeValueAsString(call), true).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      JsonNode r = reply.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (r.has("error") || r.path("result").has("exceptionDetails"))
        throw new AssertionError("evaluating " + expression + " failed: " + r);
      return r.path("result").path("result").path("value");
    }

    @Override
    public void close() {
      socket.abort();
      stop(process);
    }
  }
}
