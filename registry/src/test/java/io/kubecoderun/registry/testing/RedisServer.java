package io.kubecoderun.registry.testing;

import static org.awaitility.Awaitility.await;

import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real {@code redis-server} (Debian's) on a free loopback port, without persistence, as a child process. It can
 * be restarted empty on the same port, as a Redis that lost its data.
 */
public final class RedisServer implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);

    private final int port;
    private final Path dir;
    private Process process;
    private Vertx vertx;
    private Redis client;

    private RedisServer(int port, Path dir) {
        this.port = port;
        this.dir = dir;
    }

    public static RedisServer start() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer server = new RedisServer(port, Files.createTempDirectory("kcr-redis"));
        server.launch();
        return server;
    }

    private void launch() throws IOException {
        process = new ProcessBuilder(List.of(
                        "redis-server",
                        "--port",
                        Integer.toString(port),
                        "--bind",
                        "127.0.0.1",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        dir.toString(),
                        "--protected-mode",
                        "no"))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("redis.log").toFile())
                .start();
        try {
            await().atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(20))
                    .until(this::accepting);
        } catch (ConditionTimeoutException notStarted) {
            throw new IOException("redis-server did not start on port " + port + "; is it installed? log: "
                    + Files.readString(dir.resolve("redis.log")));
        }
    }

    private boolean accepting() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    public String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /**
     * A Vert.x Redis client for this server, as the apps configure theirs (a pool large enough for the concurrency
     * tests); one per server, closed with it.
     */
    public synchronized Redis client() {
        if (client == null) {
            vertx = Vertx.vertx();
            client = Redis.createClient(
                    vertx,
                    new RedisOptions()
                            .setConnectionString(uri())
                            .setMaxPoolSize(64)
                            .setMaxPoolWaiting(256));
        }
        return client;
    }

    /** Kills Redis (a dependency gone down); {@link #startAgain} brings it back, empty, on the same port. */
    public synchronized void stop() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    public synchronized void startAgain() throws IOException {
        launch();
    }

    /** Kills Redis and starts it again on the same port with no data (and no functions). */
    public void restartEmpty() throws IOException, InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        launch();
    }

    @Override
    public synchronized void close() throws InterruptedException {
        if (client != null) {
            client.close();
            try {
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                throw new IllegalStateException("Vert.x did not close", e);
            }
        }
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }
}
