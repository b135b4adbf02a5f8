package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Deadlines and process trees, in both sandbox modes. The failure these pin: a grandchild started by
 * {@code sh -c}, a {@code setsid} or {@code nohup} job or a double fork escapes the parent that was killed, keeps
 * running in the pod (or on the laptop) and holds the output pipes open, so the request hangs until it ends.
 * Each test plants processes with a unique argument and then looks for them on the host, outside the sandbox.
 */
@Timeout(120)
class ProcessTreeIT {
    @TempDir
    static Path temp;

    static final Map<String, RunnerHttp> clients = new HashMap<>();
    static final Map<String, RunnerProcess> runners = new HashMap<>();

    @BeforeAll
    static void start() throws Exception {
        Map<String, Map<String, String>> setups = Map.of(
                "bubblewrap", Map.of("RUNNER_SANDBOX", "bubblewrap"),
                "none", Map.of("RUNNER_SANDBOX", "none"),
                // Without a cgroup only the descendant walk and the /proc marker scan are left: prove they suffice.
                "none-without-cgroup", Map.of("RUNNER_SANDBOX", "none", "RUNNER_CGROUP_PARENT", "off"));
        for (String sandbox : setups.keySet()) {
            RunnerProcess runner = RunnerProcess.start(temp.resolve(sandbox), setups.get(sandbox));
            runners.put(sandbox, runner);
            clients.put(sandbox, runner.client());
        }
    }

    @AfterAll
    static void stop() {
        runners.values().forEach(RunnerProcess::close);
    }

    private static String uniqueSleep() {
        return "31" + ThreadLocalRandom.current().nextInt(100_000, 999_999) + ".5";
    }

    private static Map<String, Object> execute(String sandbox, Map<String, Object> body) throws Exception {
        RunnerHttp.Reply reply = clients.get(sandbox).execute(body);
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    @ParameterizedTest(name = "[{0}] at the deadline the whole tree dies: grandchild, setsid, nohup, double fork")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void aTimeoutKillsEveryDescendant(String sandbox) throws Exception {
        String s = uniqueSleep();
        String code = String.join(
                "\n",
                "sh -c 'sleep " + s + "' &",
                "setsid sleep " + s + " &",
                "nohup sleep " + s + " > /dev/null 2>&1 &",
                "( ( sleep " + s + " & ) & )",
                "python3 -c 'import os, time\nif os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n        os.execvp(\"sleep\", [\"sleep\", \""
                        + s + "\"])' ",
                "echo planted",
                "sleep " + s);
        Map<String, Object> result = execute(sandbox, Map.of("lang", "bash", "code", code, "timeout_ms", 1500));
        assertEquals(true, result.get("timed_out"));
        assertEquals(124L, result.get("exit_code"));
        assertEquals("planted\n", result.get("stdout"));
        assertTrue(
                ((String) result.get("stderr")).contains("Execution timed out after 1.5 seconds"), result.toString());
        assertEquals(List.of(), HostProcesses.awaitGone(s, 2_000), "processes survived the deadline");
    }

    @ParameterizedTest(name = "[{0}] a program that exits leaves no background job behind and does not wait for it")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void aNormalExitKillsBackgroundJobsWithoutWaitingForThem(String sandbox) throws Exception {
        String s = uniqueSleep();
        Map<String, Object> result = execute(
                sandbox,
                Map.of(
                        "lang",
                        "bash",
                        "code",
                        "setsid sleep " + s + " &\n( ( sleep " + s + " & ) & )\necho done",
                        "timeout_ms",
                        60_000));
        assertEquals(0L, result.get("exit_code"));
        assertEquals(false, result.get("timed_out"));
        assertEquals("done\n", result.get("stdout"));
        assertEquals(List.of(), HostProcesses.awaitGone(s, 2_000), "background jobs survived the exit");
    }

    @ParameterizedTest(name = "[{0}] floods on both streams are capped and marked, and the runner stays healthy")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void outputFloodsAreCapped(String sandbox) throws Exception {
        String code = """
                import sys, threading
                chunk = 'x' * 65536
                def flood(stream):
                    for _ in range(1600):  # 100 MiB per stream
                        stream.write(chunk)
                    stream.flush()
                t = threading.Thread(target=flood, args=(sys.stderr,))
                t.start()
                flood(sys.stdout)
                t.join()
                """;
        Map<String, Object> result = execute(sandbox, Map.of("lang", "py", "code", code));
        assertEquals(
                0L,
                result.get("exit_code"),
                String.valueOf(result.get("stderr")).lines().findFirst().orElse(""));
        String stdout = (String) result.get("stdout");
        String stderr = (String) result.get("stderr");
        assertTrue(stdout.length() < 65536 + 200 && stderr.length() < 65536 + 200);
        assertTrue(stdout.endsWith("[output truncated: " + (1600L * 65536 - 65536) + " more bytes not shown]\n"));
        assertTrue(stderr.contains("[output truncated: "));
        assertEquals(true, result.get("truncated"));
        assertEquals(true, result.get("stdout_truncated"));
        assertEquals(true, result.get("stderr_truncated"));
        Map<String, Object> after = execute(sandbox, Map.of("lang", "bash", "code", "echo still-fine"));
        assertEquals("still-fine\n", after.get("stdout"));
    }

    @ParameterizedTest(name = "[{0}] endless output until the deadline is cut at the cap and the tree is killed")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void endlessOutputStopsAtTheDeadline(String sandbox) throws Exception {
        Map<String, Object> result =
                execute(sandbox, Map.of("lang", "bash", "code", "yes flood & yes flood >&2", "timeout_ms", 1000));
        assertEquals(true, result.get("timed_out"));
        assertEquals(true, result.get("stdout_truncated"));
        assertEquals(true, result.get("stderr_truncated"));
        assertEquals(List.of(), HostProcesses.awaitGone("yes flood", 2_000));
    }

    /**
     * Regression: a program that writes a pipe-full and exits at once leaves its output in the pipe after it is
     * gone. Killing "the rest of the tree" through {@code Process.destroyForcibly()} closed that pipe under the
     * readers, and the output came back cut ("1" for "1\n") or empty under load. Every byte must arrive.
     */
    @ParameterizedTest(name = "[{0}] output still in the pipe when the program exits is never lost")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void outputLeftInThePipeAtExitIsCollectedWhole(String sandbox) throws Exception {
        // Busy threads starve the runner's readers, as a loaded node does, so output is still in the pipe at exit.
        java.util.concurrent.atomic.AtomicBoolean busy = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Thread> hogs = new java.util.ArrayList<>();
        for (int i = 0; i < 2 * Runtime.getRuntime().availableProcessors(); i++) {
            hogs.add(Thread.ofPlatform().daemon().start(() -> {
                long x = 0;
                while (busy.get()) {
                    x += System.nanoTime() % 7;
                }
                if (x == 42) {
                    System.out.print("");
                }
            }));
        }
        try {
            for (int i = 0; i < 30; i++) {
                Map<String, Object> result = execute(
                        sandbox,
                        Map.of(
                                "lang",
                                "py",
                                "code",
                                "import os\nos.write(1, b'y' * 60000 + b'\\n')\nos.write(2, b'z' * 30000)\nos._exit(0)"));
                assertEquals(60001, ((String) result.get("stdout")).length(), "run " + i);
                assertEquals(30000, ((String) result.get("stderr")).length(), "run " + i);
            }
        } finally {
            busy.set(false);
            for (Thread hog : hogs) {
                hog.join();
            }
        }
    }

    @ParameterizedTest(name = "[{0}] stderr is captured on success too")
    @ValueSource(strings = {"bubblewrap", "none", "none-without-cgroup"})
    void stderrIsCapturedOnSuccess(String sandbox) throws Exception {
        Map<String, Object> result = execute(
                sandbox, Map.of("lang", "py", "code", "import sys\nprint('out')\nprint('warn', file=sys.stderr)"));
        assertEquals(0L, result.get("exit_code"));
        assertEquals("out\n", result.get("stdout"));
        assertEquals("warn\n", result.get("stderr"));
    }
}
