package io.kubecoderun.tests.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The packaged standalone app ({@code standalone/target/quarkus-app/quarkus-run.jar}, the embedded default as
 * {@code ./kcr start} runs it) as a child process with its own data directory, two callers' keys and a master key:
 * what the attack suite attacks. Every attack class starts one in {@code @BeforeAll} and {@link #close()}s it in
 * {@code @AfterAll}, which also checks what the suite promises after every attack: the pools are back at their
 * targets, no runner directory is left behind once the app has stopped, and no secret reached the log.
 */
public final class StandaloneTarget implements AutoCloseable {
    public static final String KEY = "attack-key-0123456789abcdef";
    public static final String OTHER_KEY = "attack-other-key-9876543210fedcba";
    public static final String MASTER_KEY = "attack-master-key-5555555555aaaa";

    public final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    public final ObjectMapper json = new ObjectMapper();
    public final Path data;
    public final int port;
    private final Process app;
    private final Map<String, Integer> targets;

    private StandaloneTarget(Path data, int port, Process app, Map<String, Integer> targets) {
        this.data = data;
        this.port = port;
        this.app = app;
        this.targets = targets;
    }

    /** Python and Bash pools of one warm pod each, JavaScript through its Job, plus {@code env} on top. */
    public static StandaloneTarget start(Map<String, String> env) throws Exception {
        Path data = Files.createTempDirectory("kcr-attack");
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Map<String, String> settings = new LinkedHashMap<>(Map.ofEntries(
                Map.entry("API_KEY", KEY),
                Map.entry("API_KEYS", OTHER_KEY),
                Map.entry("MASTER_API_KEY", MASTER_KEY),
                Map.entry("KCR_GENERATE_API_KEY", "false"),
                Map.entry("API_PORT", Integer.toString(port)),
                Map.entry("KCR_DATA_DIR", data.resolve("data").toString()),
                Map.entry("KCR_LOCAL_DIR", data.resolve("pods").toString()),
                Map.entry("POD_POOL_PY", "1"),
                Map.entry("POD_POOL_JS", "0"),
                Map.entry("POD_POOL_BASH", "1"),
                Map.entry("KCR_RUNNER_JAR", required("runner.jar")),
                Map.entry("KCR_RUNNER_JVM_OPTIONS", required("runner.jvm.options"))));
        settings.putAll(env);
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        required("standalone.app"))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        data.resolve("standalone.log").toFile()));
        builder.environment().putAll(settings);
        Map<String, Integer> targets = new LinkedHashMap<>();
        settings.forEach((name, value) -> {
            if (name.startsWith("POD_POOL_") && value.matches("\\d+") && !name.equals("POD_POOL_CREATES_PER_SECOND")) {
                targets.put(
                        name.substring("POD_POOL_".length()).toLowerCase(java.util.Locale.ROOT),
                        Integer.parseInt(value));
            }
        });
        StandaloneTarget target = new StandaloneTarget(data, port, builder.start(), targets);
        target.awaitHealthy();
        return target;
    }

    private static String required(String property) {
        String value = System.getProperty(property);
        if (value == null || !Files.exists(Path.of(value))) {
            throw new IllegalStateException(property + " is not built: " + value);
        }
        return value;
    }

    private void awaitHealthy() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AssertionError("the app exited:\n" + log());
            }
            try {
                if (get("/health", KEY).statusCode() == 200) {
                    awaitPoolsAtTarget();
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not healthy within 90 s:\n" + log());
    }

    public String log() throws IOException {
        return Files.readString(data.resolve("standalone.log"), StandardCharsets.UTF_8);
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    public HttpRequest.Builder request(String path, String key) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(120));
        return key == null ? builder : builder.header("x-api-key", key);
    }

    public HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public HttpResponse<String> get(String path, String key) throws IOException, InterruptedException {
        return send(request(path, key).GET().build());
    }

    public HttpResponse<String> postJson(String path, String key, String body)
            throws IOException, InterruptedException {
        return send(request(path, key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build());
    }

    /** {@code POST /exec} as LibreChat sends it; the JSON answer, after checking the status. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> exec(String key, String lang, String code, Map<String, Object> extra, int expected)
            throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lang", lang);
        body.put("code", code);
        body.putAll(extra);
        HttpResponse<String> response = postJson("/exec", key, json.writeValueAsString(body));
        assertEquals(expected, response.statusCode(), response.body());
        return json.readValue(response.body(), Map.class);
    }

    public Map<String, Object> exec(String lang, String code) throws Exception {
        return exec(KEY, lang, code, Map.of(), 200);
    }

    /** What follows every attack: an ordinary execution that must work. */
    public void normalRequestSucceeds() throws Exception {
        Map<String, Object> result = exec("py", "print(6 * 7)");
        assertEquals("42\n", result.get("stdout"), result.toString());
    }

    /** {@code /metrics/pool}: per language, its counts. */
    @SuppressWarnings("unchecked")
    public Map<String, Map<String, Object>> pools() throws Exception {
        HttpResponse<String> response = get("/metrics/pool", KEY);
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> body = json.readValue(response.body(), Map.class);
        return (Map<String, Map<String, Object>>) body.get("languages");
    }

    /** Every configured pool has its target of ready pods again, within 60 s. */
    public void awaitPoolsAtTarget() throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        Map<String, Map<String, Object>> pools = Map.of();
        while (System.nanoTime() < deadline) {
            pools = pools();
            if (atTarget(pools)) {
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("pools not back at " + targets + " within 60 s: " + pools);
    }

    private boolean atTarget(Map<String, Map<String, Object>> pools) {
        for (Map.Entry<String, Integer> target : targets.entrySet()) {
            if (target.getValue() == 0) {
                continue;
            }
            Map<String, Object> pool = pools.get(target.getKey());
            if (pool == null || ((Number) pool.getOrDefault("ready", 0)).intValue() < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    /**
     * Checks the pools, stops the app with SIGTERM, then checks that no runner directory is left under
     * {@code KCR_LOCAL_DIR} and that none of {@code secrets} (and neither key) is in the log.
     */
    public void close(String... secrets) throws Exception {
        try {
            awaitPoolsAtTarget();
        } finally {
            app.destroy();
            if (!app.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                app.destroyForcibly().waitFor();
                throw new AssertionError("the app did not stop within 60 s of SIGTERM");
            }
        }
        Path pods = data.resolve("pods");
        if (Files.isDirectory(pods)) {
            try (Stream<Path> left = Files.list(pods)) {
                // cds-training is the host's class-data archive work, not a runner's directory.
                List<Path> dirs = left.filter(Files::isDirectory)
                        .filter(dir -> !dir.getFileName().toString().equals("cds-training"))
                        .toList();
                assertTrue(dirs.isEmpty(), "runner directories left after shutdown: " + dirs);
            }
        }
        String log = log();
        for (String secret : Stream.concat(Stream.of(KEY, OTHER_KEY, MASTER_KEY), Stream.of(secrets))
                .toList()) {
            assertTrue(!log.contains(secret), "the log contains a secret or marker: " + secret);
        }
    }

    @Override
    public void close() throws Exception {
        close(new String[0]);
    }
}
