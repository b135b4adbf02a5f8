package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Attacks from inside the bubblewrap sandbox, the embedded default's only wall between user code and the
 * operator's laptop. Each test is an attack that must fail; a regression in the sandbox arguments or the limits
 * makes it succeed and the test fail.
 */
@Timeout(120)
class SandboxIT {
    static final String SECRET = "kcr-secret-" + System.nanoTime();

    @RegisterExtension
    static final RunnerExtension runner = RunnerExtension.sandboxed(Map.of(
            "KCR_TEST_SECRET",
            SECRET,
            "RUNNER_MEMORY_LIMIT",
            "256MiB",
            "RUNNER_PIDS_LIMIT",
            "64",
            "RUNNER_FILE_SIZE_LIMIT",
            "10MiB",
            "RUNNER_TMP_SIZE",
            "16MiB"));

    static RunnerHttp client;
    static Path hostSecret;

    @BeforeAll
    static void connect() throws Exception {
        hostSecret = Files.writeString(runner.temp().resolve("host-secret.txt"), SECRET);
        client = runner.client();
    }

    private static Map<String, Object> run(String lang, String code) throws Exception {
        RunnerHttp.Reply reply = client.execute(Map.of("lang", lang, "code", code, "timeout_ms", 30_000));
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    private static String out(Map<String, Object> result) {
        return (String) result.get("stdout");
    }

    @Test
    void theRunnersEnvironmentDoesNotLeakIntoUserCode() throws Exception {
        Map<String, Object> result = run("bash", "env; cat /proc/self/environ | tr '\\0' '\\n'");
        assertFalse(out(result).contains(SECRET), out(result));
        assertFalse(out(result).contains("RUNNER_"), out(result));
    }

    @Test
    void thereIsNoNetworkNotEvenToTheRunnerOnLoopback() throws Exception {
        Map<String, Object> result = run("py", """
                import socket
                try:
                    socket.create_connection(('127.0.0.1', %d), timeout=2)
                    print('connected')
                except OSError as e:
                    print('refused', type(e).__name__)
                print(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))
                """.formatted(port()));
        assertTrue(out(result).startsWith("refused"), out(result));
        assertTrue(out(result).contains("['lo']"), out(result));
    }

    private static int port() {
        return Integer.parseInt(
                runner.process().baseUrl().substring(runner.process().baseUrl().lastIndexOf(':') + 1));
    }

    @Test
    void hostFilesAreInvisible() throws Exception {
        Map<String, Object> result = run(
                "bash",
                "cat " + hostSecret + " 2>&1; ls /root /home 2>&1; " + "ls /etc/shadow 2>&1; ls "
                        + runner.process().workdir().getParent() + " 2>&1; echo end");
        assertFalse(out(result).contains(SECRET), out(result));
        assertTrue(out(result).contains("No such file or directory"), out(result));
    }

    @Test
    void userCodeRunsAsAnUnprivilegedUserWithNoCapabilitiesAndSeesOnlyItsOwnProcesses() throws Exception {
        Map<String, Object> result = run("bash", "id -u; grep CapEff /proc/self/status; ls /proc | grep -c '^[0-9]'");
        String[] lines = out(result).split("\n");
        assertEquals("65532", lines[0]);
        assertEquals("CapEff:\t0000000000000000", lines[1]);
        assertTrue(Integer.parseInt(lines[2].strip()) < 10, "sees host processes: " + lines[2]);
    }

    @Test
    void theSystemIsReadOnlyAndOnlyTheWorkingDirectoryPersists() throws Exception {
        Map<String, Object> result = run(
                "bash",
                "touch /usr/bin/planted 2>&1; echo x > /etc/planted 2>&1; "
                        + "echo kept > /mnt/data/kept.txt; echo gone > /tmp/gone.txt; echo end");
        assertTrue(
                out(result).contains("Read-only file system") || out(result).contains("Permission denied"),
                out(result));
        assertFalse(Files.exists(Path.of("/usr/bin/planted")));
        assertTrue(Files.exists(runner.process().workdir().resolve("kept.txt")));
        assertEquals(
                "no\n",
                out(run("bash", "[ -e /tmp/gone.txt ] && echo yes || echo no")),
                "/tmp must be private to each execution");
    }

    @Test
    void theMemoryLimitStopsAHungryProgram() throws Exception {
        Map<String, Object> result =
                run("py", "x = bytearray(600 * 1024 * 1024)\nx[::4096] = b'1' * len(x[::4096])\nprint('allocated')");
        assertNotEquals(0L, result.get("exit_code"));
        assertFalse(out(result).contains("allocated"));
        assertTrue(
                Boolean.TRUE.equals(result.get("oom_killed"))
                        || ((String) result.get("stderr")).contains("MemoryError"),
                result.toString());
    }

    @Test
    void aForkBombIsContainedAndTheRunnerStillAnswers() throws Exception {
        Map<String, Object> result = run("py", """
                import os, time
                children = 0
                for _ in range(10000):
                    try:
                        if os.fork() == 0:
                            time.sleep(30)
                            os._exit(0)
                        children += 1
                    except OSError:
                        break
                print('children', children)
                """);
        String text = out(result);
        assertTrue(text.startsWith("children "), result.toString());
        assertTrue(Integer.parseInt(text.strip().split(" ")[1]) < 64, text);
        assertEquals("ok\n", out(run("bash", "echo ok")));
    }

    @Test
    void theFileSizeLimitStopsARunawayWriter() throws Exception {
        Map<String, Object> result =
                run("bash", "head -c 20000000 /dev/zero > big.bin; echo status=$?; stat -c %s big.bin");
        assertTrue(out(result).contains("status=153") || !out(result).contains("status=0"), out(result));
        long size = Long.parseLong(
                out(result).lines().reduce((a, b) -> b).orElseThrow().strip());
        assertTrue(size <= 10L << 20, "wrote " + size);
    }

    @Test
    void privateTmpIsSizeLimited() throws Exception {
        Map<String, Object> result = run("bash", "head -c 30000000 /dev/zero > /tmp/fill 2>&1; echo status=$?");
        assertFalse(out(result).contains("status=0"), out(result));
    }
}
