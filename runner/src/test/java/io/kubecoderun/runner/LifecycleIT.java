package io.kubecoderun.runner;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Start-up validation and shutdown order of the packaged runner. */
@Timeout(120)
class LifecycleIT {
    @TempDir
    Path temp;

    @Test
    void aMisconfiguredRunnerRefusesToStartAndNamesEveryProblem() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(RunnerProcess.launchCommand()).redirectErrorStream(true);
        builder.environment()
                .putAll(Map.of(
                        "RUNNER_PORT",
                        "eighty",
                        "RUNNER_SANDBOX",
                        "docker",
                        "RUNNER_MAX_TIMEOUT",
                        "forever",
                        "RUNNER_WORKDIR",
                        temp.resolve("w").toString()));
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(30, TimeUnit.SECONDS));
        assertEquals(2, process.exitValue(), output);
        for (String variable : List.of("RUNNER_PORT", "RUNNER_SANDBOX", "RUNNER_MAX_TIMEOUT")) {
            assertTrue(output.contains(variable), output);
        }
    }

    @Test
    void shutdownStopsTheRunningProgramAndItsChildrenThenExits() throws Exception {
        String marker = "4242" + System.nanoTime() % 100000 + ".25";
        RunnerProcess runner =
                RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "none", "RUNNER_SHUTDOWN_GRACE", "1s"));
        RunnerHttp client = runner.client();
        assertEquals(200, client.get("/ready").status());
        CompletableFuture<RunnerHttp.Reply> running = CompletableFuture.supplyAsync(() -> {
            try {
                return client.execute(Map.of(
                        "lang", "bash", "code", "sleep " + marker + " & sleep " + marker, "timeout_ms", 120_000));
            } catch (Exception e) {
                return null;
            }
        });
        await("the program started")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> HostProcesses.withArgument(marker).size() >= 2);
        assertEquals(2, HostProcesses.withArgument(marker).size(), "the program did not start");
        // SIGTERM, as the kubelet sends; through the handle, since Process.destroy() also closes our end of the
        // runner's log pipe and its shutdown lines would be lost.
        runner.process().toHandle().destroy();
        assertTrue(runner.process().waitFor(20, TimeUnit.SECONDS), "runner did not exit");
        assertEquals(List.of(), HostProcesses.awaitGone(marker, 2_000), "the program outlived the runner");
        running.get(30, TimeUnit.SECONDS);
        assertTrue(
                runner.log().contains("event=stopped"),
                "exit " + runner.process().exitValue() + "\n" + runner.log());
    }
}
