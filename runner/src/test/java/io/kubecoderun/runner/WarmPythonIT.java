package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up that makes a sandbox's one request fast. The Python interpreter a runner starts ahead (sandboxed,
 * limited, waiting on a FIFO) runs the first Python program exactly as a cold start would: same sandbox,
 * arguments, state, timeout and process-tree kill; the log line says which path ran. Every other Python test of
 * the module runs through it too. The warm-up leaves the working directory empty.
 */
class WarmPythonIT {

    private static long count(String log, String needle) {
        return log.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void theFirstProgramRunsInTheInterpreterStartedAheadInsideTheSandbox(@TempDir Path temp) throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "bubblewrap"))) {
            RunnerHttp client = runner.client();
            Map<String, Object> result = client.execute(Map.of("lang", "py", "args", List.of("a b", "c"), "code", """
                            import os, sys
                            print(os.getpid(), sys.argv[1:], os.getcwd())
                            try:
                                open('/usr/kcr-escape', 'w')
                            except OSError as e:
                                print('refused', type(e).__name__)
                            """))
                    .json();
            assertEquals(0L, result.get("exit_code"), result.toString());
            String stdout = (String) result.get("stdout");
            // Its own pid namespace (a small pid), the request's argv, the working directory, a read-only root.
            assertTrue(stdout.matches("(?s)[0-9]{1,2} \\['a b', 'c'\\] \\S+\\nrefused \\w+Error\\n"), stdout);
            assertEquals(1, count(runner.awaitLog("warm=true", 1), "warm=true"), runner.log());
        }
    }

    @Test
    void theWarmUpLeavesNothingInTheWorkingDirectory(@TempDir Path temp) throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "bubblewrap"))) {
            // It put a file through the file routes and removed it: a first request's listing must be empty.
            assertEquals(List.of(), runner.client().get("/files").json().get("files"));
            try (var entries = java.nio.file.Files.list(runner.workdir())) {
                assertEquals(List.of(), entries.toList());
            }
            // It handed a line through a FIFO of its own, as a program goes to the interpreter, and removed it.
            assertFalse(java.nio.file.Files.exists(temp.resolve("scratch").resolve("kcr-warmup-fifo")));
            assertFalse(runner.log().contains("event=warmup_failed"), runner.log());
        }
    }

    @Test
    void aTimeoutKillsTheWarmInterpretersWholeTreeAndTheNextProgramRunsInAFreshOne(@TempDir Path temp)
            throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "bubblewrap"))) {
            RunnerHttp client = runner.client();
            Map<String, Object> slow = client.execute(Map.of("lang", "py", "timeout_ms", 1000, "code", """
                    import subprocess, time
                    subprocess.Popen(['sleep', '307.5'])
                    while True:
                        time.sleep(0.1)
                    """))
                    .json();
            assertEquals(true, slow.get("timed_out"), slow.toString());
            assertEquals(124L, slow.get("exit_code"));
            assertTrue(((String) slow.get("stderr")).contains("Execution timed out after 1 seconds"));
            assertEquals(List.of(), HostProcesses.awaitGone("307.5", 2_000), "the program's child died with it");

            Map<String, Object> next = client.execute(
                            Map.of("lang", "py", "code", "x = 41\nprint(x + 1)", "capture_state", true))
                    .json();
            assertEquals("42\n", next.get("stdout"), next.toString());
            assertTrue(next.get("state") != null, "state captured in the warm path");
            assertEquals(2, count(runner.awaitLog("warm=true", 2), "warm=true"), runner.log());
        }
    }

    @Test
    void withRunnerPythonWarmFalseEveryProgramStartsCold(@TempDir Path temp) throws Exception {
        try (RunnerProcess runner =
                RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "bubblewrap", "RUNNER_PYTHON_WARM", "false"))) {
            Map<String, Object> result = runner.client()
                    .execute(Map.of("lang", "py", "code", "print('cold')"))
                    .json();
            assertEquals("cold\n", result.get("stdout"));
            String log = runner.awaitLog("lang=py", 1);
            assertFalse(log.contains("warm=true"), log);
            assertTrue(log.contains("lang=py exit=0 timed_out=false oom=false") && log.contains("warm=false"), log);
        }
    }

    @Test
    void preloadedModulesAreImportedBeforeTheProgramArrives(@TempDir Path temp) throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(
                temp,
                Map.of(
                        "RUNNER_SANDBOX",
                        "bubblewrap",
                        "RUNNER_PYTHON_PRELOAD",
                        "json,decimal,not_a_module_kcr,this"))) {
            Map<String, Object> result = runner.client()
                    .execute(Map.of(
                            "lang",
                            "py",
                            "code",
                            "import sys\nprint('decimal' in sys.modules, 'not_a_module_kcr' in sys.modules)"))
                    .json();
            // `this` prints the Zen of Python when imported: a preload's output is not the program's.
            assertEquals("True False\n", result.get("stdout"), result + "\nrunner log:\n" + runner.log());
            assertEquals("", result.get("stderr"), result.toString());
            String log = runner.awaitLog("warm=true", 1);
            assertTrue(log.contains("warm=true"), log);
            assertTrue(
                    log.indexOf("event=warm_python_ready") >= 0
                            && log.indexOf("event=warm_python_ready") < log.indexOf("event=ready "),
                    "ready only once the interpreter has imported its preloads: " + log);
        }
    }

    /**
     * With preloads the interpreter exits without freeing the libraries; what a program relies on from a normal
     * exit still happens: a file left open is flushed, a non-daemon thread finishes, atexit handlers run.
     */
    @Test
    void aPreloadedInterpreterStillFlushesOpenFilesJoinsThreadsAndRunsAtexitHandlers(@TempDir Path temp)
            throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(
                temp, Map.of("RUNNER_SANDBOX", "bubblewrap", "RUNNER_PYTHON_PRELOAD", "json,decimal"))) {
            RunnerHttp client = runner.client();
            Map<String, Object> result =
                    client.execute(Map.of("lang", "py", "code", """
                    import atexit, threading, time
                    left_open = open('left-open.txt', 'w')
                    left_open.write('buffered, never closed\\n')
                    def later():
                        time.sleep(0.3)
                        with open('from-thread.txt', 'w') as f:
                            f.write('thread finished\\n')
                    threading.Thread(target=later).start()
                    atexit.register(lambda: open('from-atexit.txt', 'w').write('atexit ran\\n'))
                    print('done')
                    raise SystemExit(3)
                    """)).json();
            assertEquals(3L, result.get("exit_code"), result.toString());
            assertEquals("done\n", result.get("stdout"));
            Path work = runner.workdir();
            assertEquals("buffered, never closed\n", java.nio.file.Files.readString(work.resolve("left-open.txt")));
            assertEquals("thread finished\n", java.nio.file.Files.readString(work.resolve("from-thread.txt")));
            assertEquals("atexit ran\n", java.nio.file.Files.readString(work.resolve("from-atexit.txt")));
            assertTrue(runner.awaitLog("warm=true", 1).contains("warm=true"), runner.log());
        }
    }
}
