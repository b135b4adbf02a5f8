package io.kubecoderun.standalone.bench;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged standalone app as a benchmark's child process: its own data directory and port, the API key, the
 * warm pools the benchmark asks for (every other language's pool off, so no runner the benchmark does not use shares
 * the cores), no rate limit (a benchmark sends more than a client's share), the app's log in the data directory.
 * {@link #close} stops the app and then every process it left behind (the bench's own children only, found by the
 * app's process tree before it stopped).
 */
final class BenchApp implements AutoCloseable {
    final Process process;
    final String base;
    final Path log;

    private BenchApp(Process process, String base, Path log) {
        this.process = process;
        this.base = base;
        this.log = log;
    }

    /** Warm Python runners only ({@code POD_POOL_PY}). */
    static BenchApp start(Path data, String key, int pythonPool) throws Exception {
        return start(data, key, Map.of("py", pythonPool), Map.of());
    }

    /**
     * @param pools pool size per language id ({@code py}, {@code js}, {@code c}, ...): {@code POD_POOL_<ID>}; the
     *              languages with a default pool ({@code py js bash}) not named here get 0
     * @param env   further environment, e.g. {@code RUNNER_PYTHON_PRELOAD}
     */
    static BenchApp start(Path data, String key, Map<String, Integer> pools, Map<String, String> env) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = data.resolve("standalone.log");
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        "standalone/target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true)
                .redirectOutput(log.toFile());
        Map<String, String> all = new HashMap<>();
        all.put("API_KEY", key);
        all.put("API_PORT", Integer.toString(port));
        all.put("KCR_DATA_DIR", data.toString());
        all.put("KCR_LOCAL_DIR", data.resolve("pods").toString());
        all.put("RATE_LIMIT_PER_MINUTE", "0");
        for (String language : List.of("py", "js", "bash")) {
            all.put("POD_POOL_" + language.toUpperCase(java.util.Locale.ROOT), "0");
        }
        pools.forEach((language, size) ->
                all.put("POD_POOL_" + language.toUpperCase(java.util.Locale.ROOT), Integer.toString(size)));
        all.putAll(env);
        builder.environment().putAll(all);
        return new BenchApp(builder.start(), "http://127.0.0.1:" + port, log);
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() throws InterruptedException {
        List<ProcessHandle> tree = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(5, TimeUnit.SECONDS);
        }
        // What the app did not stop itself (a runner, a warm interpreter): this app's own, by pid.
        for (ProcessHandle left : tree) {
            if (left.isAlive()) {
                left.destroyForcibly();
            }
        }
    }
}
