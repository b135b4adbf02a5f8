package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import io.kubecoderun.runner.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner host ({@code runner.jar --host}) as the local platform drives it: many single-use runner instances in
 * one JVM, each its own port, directories and sandboxes. What these pin is that sharing the JVM shares nothing an
 * execution can reach: files, processes (an instance's sweep never touches another's programs), stops, and the
 * host's own death, which must take every sandbox with it.
 */
@Timeout(120)
class RunnerHostIT {
    @TempDir
    Path temp;

    private Host host;

    /** A host process with its command pipe and its events, one JSON object per line. */
    private static final class Host implements AutoCloseable {
        final Process process;
        final Writer commands;
        final BlockingQueue<Map<String, Object>> events = new LinkedBlockingQueue<>();

        Host(Path log) throws IOException {
            this(log, Map.of("RUNNER_SANDBOX", "bubblewrap"));
        }

        Host(Path log, Map<String, String> env) throws IOException {
            List<String> command = new ArrayList<>(RunnerProcess.launchCommand());
            command.add("--host");
            ProcessBuilder builder =
                    new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().putAll(env);
            process = builder.start();
            commands = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread.ofPlatform().daemon().start(() -> {
                try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    String line;
                    while ((line = reader.readLine()) != null) {
                        events.add(Json.parseObject(line));
                    }
                } catch (IOException e) {
                    // ended with the host
                }
            });
        }

        void send(Map<String, Object> command) throws IOException {
            commands.write(Json.write(command) + "\n");
            commands.flush();
        }

        Map<String, Object> next(String event, String name) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < end) {
                Map<String, Object> e = events.poll(1, TimeUnit.SECONDS);
                if (e != null && event.equals(e.get("event")) && name.equals(e.get("name"))) {
                    return e;
                }
            }
            throw new AssertionError("no " + event + " event for " + name);
        }

        @Override
        public void close() {
            process.destroyForcibly();
        }
    }

    /** One started instance: its client and working directory. */
    private record Instance(String name, int port, RunnerHttp client, Path workdir) {}

    private Instance start(String name, String language) throws Exception {
        Path dir = temp.resolve(name);
        Path work = Files.createDirectories(dir.resolve("work"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        host.send(Map.of(
                "op",
                "start",
                "name",
                name,
                "env",
                Map.of(
                        "RUNNER_PORT",
                        "0",
                        "RUNNER_BIND",
                        "127.0.0.1",
                        "RUNNER_WORKDIR",
                        work.toString(),
                        "RUNNER_SCRATCH",
                        scratch.toString(),
                        "RUNNER_LANGUAGE",
                        language,
                        "RUNNER_POD_UID",
                        "uid-" + name,
                        "RUNNER_POD_NAME",
                        name)));
        int port = ((Number) host.next("ready", name).get("port")).intValue();
        return new Instance(name, port, new RunnerHttp("http://127.0.0.1:" + port), work);
    }

    private static Map<String, Object> run(Instance instance, String lang, String code, int timeoutMs)
            throws IOException {
        RunnerHttp.Reply reply = instance.client()
                .execute(Map.of("lang", lang, "code", code, "args", List.of(), "timeout_ms", timeoutMs));
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    @AfterEach
    void stopHost() {
        if (host != null) {
            host.close();
        }
    }

    @Test
    void instancesAreSeparateRunnersWithTheirOwnPortsFilesAndPodIdentity() throws Exception {
        host = new Host(temp.resolve("host.log"));
        Instance a = start("pod-a", "py");
        Instance b = start("pod-b", "py");
        assertNotEquals(a.port(), b.port());
        run(a, "py", "open('/mnt/data/mine.txt', 'w').write('a')", 10_000);
        assertEquals(
                "[]\n",
                run(b, "py", "import os; print(os.listdir('/mnt/data'))", 10_000)
                        .get("stdout"));
        assertTrue(Files.exists(a.workdir().resolve("mine.txt")));
        assertEquals(
                "uid-pod-b", b.client().get("/status").json().get("pod_uid"), "each instance answers as its own pod");
    }

    /**
     * An execution's processes are swept by a marker made of its runner's id and a sequence number (outside a pid
     * namespace, with the sandbox off, that marker is what finds them; its cgroup is named the same way). In one
     * JVM every instance has the same pid, so ids made of the pid alone repeat across instances: an instance whose
     * program timed out would sweep away the other instance's program of the same sequence number.
     */
    @Test
    void anInstancesTimeoutSweepLeavesAnotherInstancesProgramAlone() throws Exception {
        host = new Host(temp.resolve("host.log"), Map.of("RUNNER_SANDBOX", "none", "RUNNER_CGROUP_PARENT", "off"));
        Instance a = start("pod-a", "bash");
        Instance b = start("pod-b", "bash");
        // The instances' sequences start apart (the first instance also ran the warm-up): b's program gets a
        // sequence number of 3 or more, and a's six timeouts cover every number from its next one on.
        run(b, "bash", "true", 10_000);
        run(b, "bash", "true", 10_000);
        CompletableFuture<Map<String, Object>> slow = CompletableFuture.supplyAsync(() -> {
            try {
                return run(b, "bash", "sleep 6; echo b-finished", 30_000);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Thread.sleep(500); // b's program is running
        for (int i = 0; i < 6; i++) {
            Map<String, Object> spun = run(a, "bash", "while :; do :; done", 300);
            assertEquals(Boolean.TRUE, spun.get("timed_out"), String.valueOf(spun));
        }
        Map<String, Object> survived = slow.get(30, TimeUnit.SECONDS);
        assertEquals("b-finished\n", survived.get("stdout"), "the other instance's program: " + survived);
        assertEquals(0, ((Number) survived.get("exit_code")).intValue());
    }

    @Test
    void stoppingOneInstanceStopsItsProgramAndNothingElse() throws Exception {
        host = new Host(temp.resolve("host.log"));
        Instance a = start("pod-a", "bash");
        Instance b = start("pod-b", "bash");
        String word = "31" + ThreadLocalRandom.current().nextInt(100_000, 999_999) + ".5";
        CompletableFuture<RunnerHttp.Reply> running = CompletableFuture.supplyAsync(() -> {
            try {
                return a.client()
                        .execute(Map.of(
                                "lang", "bash", "code", "sleep " + word, "args", List.of(), "timeout_ms", 60_000));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !HostProcesses.withArgument(word).isEmpty());
        host.send(Map.of("op", "stop", "name", "pod-a"));
        host.next("stopped", "pod-a");
        assertEquals(List.of(), HostProcesses.awaitGone(word, 5_000), "the stopped instance's program");
        running.handle((reply, failure) -> null).get(20, TimeUnit.SECONDS);
        assertEquals("still here\n", run(b, "bash", "echo still here", 10_000).get("stdout"));
    }

    @Test
    void aHostKilledOutrightTakesEverySandboxWithIt() throws Exception {
        host = new Host(temp.resolve("host.log"));
        Instance a = start("pod-a", "bash");
        String word = "31" + ThreadLocalRandom.current().nextInt(100_000, 999_999) + ".5";
        CompletableFuture.runAsync(() -> {
            try {
                a.client()
                        .execute(Map.of(
                                "lang", "bash", "code", "sleep " + word, "args", List.of(), "timeout_ms", 60_000));
            } catch (IOException e) {
                // the host is killed under it
            }
        });
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(20))
                .until(() -> !HostProcesses.withArgument(word).isEmpty());
        host.process.toHandle().destroyForcibly();
        assertTrue(host.process.waitFor(10, TimeUnit.SECONDS));
        assertEquals(List.of(), HostProcesses.awaitGone(word, 5_000), "a sandbox outlived its host");
    }

    @Test
    void theHostStopsEveryInstanceAndExitsWhenItsInputEnds() throws Exception {
        host = new Host(temp.resolve("host.log"));
        start("pod-a", "py");
        start("pod-b", "bash");
        host.commands.close();
        assertTrue(host.process.waitFor(30, TimeUnit.SECONDS), "the host outlived its platform");
        assertEquals(0, host.process.exitValue());
        assertEquals(List.of(), HostProcesses.awaitGone(temp.toString(), 5_000), "processes of its instances");
        String log = Files.readString(temp.resolve("host.log"));
        assertTrue(log.contains("event=host_stopped instances=2"), log);
    }
}
