package io.kubecoderun.standalone.bench;

import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged standalone app as a benchmark's child process: its own data directory and port, the API key, warm
 * Python runners only ({@code POD_POOL_PY}; JavaScript and bash pools off, so their runners do not share the
 * cores), the app's log in the data directory.
 */
final class BenchApp implements AutoCloseable {
    final Process process;
    final String base;

    private BenchApp(Process process, String base) {
        this.process = process;
        this.base = base;
    }

    static BenchApp start(Path data, String key, int pythonPool) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        "standalone/target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("standalone.log").toFile());
        Map<String, String> env = new HashMap<>();
        env.put("API_KEY", key);
        env.put("API_PORT", Integer.toString(port));
        env.put("KCR_DATA_DIR", data.toString());
        env.put("POD_POOL_PY", Integer.toString(pythonPool));
        env.put("POD_POOL_JS", "0");
        env.put("POD_POOL_BASH", "0");
        env.put("KCR_LOCAL_DIR", data.resolve("pods").toString());
        builder.environment().putAll(env);
        return new BenchApp(builder.start(), "http://127.0.0.1:" + port);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
