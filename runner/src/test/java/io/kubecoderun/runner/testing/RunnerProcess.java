package io.kubecoderun.runner.testing;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;

/**
 * A real runner in a child JVM, as a pod or the local platform starts it: its own port (0 = any free one, read
 * from the ready log line), working and scratch directories, and the environment a test gives it.
 */
public final class RunnerProcess implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("event=ready port=(\\d+)");
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final int port;
    private final Path workdir;
    private final StringBuffer log;
    private final long startedNanos;
    private final long readyNanos;
    private final Thread logReader;

    private RunnerProcess(
            Process process,
            int port,
            Path workdir,
            long startedNanos,
            long readyNanos,
            StringBuffer log,
            Thread logReader) {
        this.logReader = logReader;
        this.process = process;
        this.port = port;
        this.workdir = workdir;
        this.startedNanos = startedNanos;
        this.readyNanos = readyNanos;
        this.log = log;
    }

    /** The java launcher of the JVM running the tests (a JDK ≥ 21, as the build requires). */
    public static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /**
     * How pods start the runner: {@code java @jvm.options -jar runner.jar}, with the paths the failsafe
     * configuration passes (or the module's own, when run from an IDE after a package).
     */
    public static List<String> launchCommand() {
        Path jar =
                Path.of(System.getProperty("runner.jar", "target/runner.jar")).toAbsolutePath();
        Path options =
                Path.of(System.getProperty("runner.jvm.options", "jvm.options")).toAbsolutePath();
        return List.of(javaBinary(), "@" + options, "-jar", jar.toString());
    }

    public static RunnerProcess start(Path base, Map<String, String> extraEnv) throws IOException {
        return start(base, extraEnv, launchCommand());
    }

    /** Starts {@code command} (a runner launch line) with a fresh workdir and scratch under {@code base}. */
    public static RunnerProcess start(Path base, Map<String, String> extraEnv, List<String> command)
            throws IOException {
        Path workdir = Files.createDirectories(base.resolve("work"));
        Path scratch = Files.createDirectories(base.resolve("scratch"));
        Map<String, String> env = new HashMap<>();
        env.put("RUNNER_PORT", "0");
        env.put("RUNNER_BIND", "127.0.0.1");
        env.put("RUNNER_WORKDIR", workdir.toString());
        env.put("RUNNER_SCRATCH", scratch.toString());
        env.putAll(extraEnv);
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command)).redirectErrorStream(true);
        builder.environment().putAll(env);
        long started = System.nanoTime();
        Process process = builder.start();
        StringBuffer log = new StringBuffer();
        int[] port = {-1};
        long[] ready = {0};
        CountDownLatch latch = new CountDownLatch(1);
        Thread logReader = Thread.ofPlatform()
                .daemon()
                .name("runner-log-" + process.pid())
                .start(() -> {
                    try (BufferedReader reader = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = reader.readLine()) != null) {
                            log.append(line).append('\n');
                            Matcher m = READY.matcher(line);
                            if (port[0] < 0 && m.find()) {
                                ready[0] = System.nanoTime();
                                port[0] = Integer.parseInt(m.group(1));
                                latch.countDown();
                            }
                        }
                    } catch (IOException ignored) {
                        // Process ended.
                    } finally {
                        latch.countDown();
                    }
                });
        try {
            if (!latch.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS) || port[0] < 0) {
                process.destroyForcibly();
                throw new IOException("runner did not become ready; log:\n" + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IOException("interrupted", e);
        }
        return new RunnerProcess(process, port[0], workdir, started, ready[0], log, logReader);
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public RunnerHttp client() {
        return new RunnerHttp(baseUrl());
    }

    public Path workdir() {
        return workdir;
    }

    public long pid() {
        return process.pid();
    }

    public Process process() {
        return process;
    }

    /** Milliseconds from spawning the JVM to the ready log line (the port is bound and serving). */
    public double startupMillis() {
        return (readyNanos - startedNanos) / 1e6;
    }

    /** Resident set size of the runner JVM, from /proc. */
    public long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(process.pid()), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("\\D+", "")) * 1024;
            }
        }
        throw new IOException("no VmRSS for " + process.pid());
    }

    /**
     * The log once {@code needle} occurs in it {@code times} times, or after 10 s: the runner writes its
     * {@code event=execute} line off the answer's path, so it may follow the answer by a moment.
     */
    public String awaitLog(String needle, int times) {
        try {
            return await().atMost(Duration.ofSeconds(10))
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(10))
                    .until(log::toString, text -> occurrences(text, needle) >= times);
        } catch (ConditionTimeoutException notYet) {
            return log.toString(); // the caller's assertion says what is missing
        }
    }

    private static int occurrences(String text, String needle) {
        int found = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length())) {
            found++;
        }
        return found;
    }

    /** Everything the runner logged so far; once it has exited, everything it ever logged. */
    public String log() {
        if (!process.isAlive()) {
            try {
                logReader.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return log.toString();
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
