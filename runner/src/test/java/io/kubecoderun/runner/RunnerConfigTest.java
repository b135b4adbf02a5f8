package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunnerConfigTest {

    @Test
    void defaultsFollowTheImageContract() {
        RunnerConfig config = RunnerConfig.from(Map.of());
        assertEquals(8080, config.port());
        assertEquals(Path.of("/mnt/data"), config.workdir());
        assertEquals("none", config.sandbox());
        assertNull(config.language());
        assertEquals(Duration.ofSeconds(30), config.defaultTimeout());
        assertEquals(Duration.ofSeconds(300), config.maxTimeout());
        assertEquals(65536, config.maxOutputBytes());
        assertEquals(512L << 20, config.memoryLimitBytes());
    }

    @Test
    void readsSizesDurationsAndLanguageAliases() {
        RunnerConfig config = RunnerConfig.from(Map.of(
                "RUNNER_PORT",
                "9000",
                "RUNNER_LANGUAGE",
                "Python",
                "RUNNER_SANDBOX",
                "BUBBLEWRAP",
                "RUNNER_MAX_TIMEOUT",
                "2m",
                "RUNNER_DEFAULT_TIMEOUT",
                "1500ms",
                "RUNNER_MAX_OUTPUT_BYTES",
                "1MiB",
                "RUNNER_MEMORY_LIMIT",
                "1g",
                "RUNNER_FILE_SIZE_LIMIT",
                "2048"));
        assertEquals(9000, config.port());
        assertEquals("py", config.language());
        assertEquals("bubblewrap", config.sandbox());
        assertEquals(Duration.ofMinutes(2), config.maxTimeout());
        assertEquals(Duration.ofMillis(1500), config.defaultTimeout());
        assertEquals(1 << 20, config.maxOutputBytes());
        assertEquals(1L << 30, config.memoryLimitBytes());
        assertEquals(2048, config.fileSizeLimitBytes());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        RunnerConfig.ConfigException e = assertThrows(
                RunnerConfig.ConfigException.class,
                () -> RunnerConfig.from(Map.of(
                        "RUNNER_PORT",
                        "http",
                        "RUNNER_SANDBOX",
                        "docker",
                        "RUNNER_LANGUAGE",
                        "cobol",
                        "RUNNER_MAX_TIMEOUT",
                        "soon",
                        "RUNNER_WORKDIR",
                        "relative",
                        "RUNNER_MAX_OUTPUT_BYTES",
                        "1")));
        String message = e.getMessage();
        for (String variable : new String[] {
            "RUNNER_PORT",
            "RUNNER_SANDBOX",
            "RUNNER_LANGUAGE",
            "RUNNER_MAX_TIMEOUT",
            "RUNNER_WORKDIR",
            "RUNNER_MAX_OUTPUT_BYTES"
        }) {
            assertTrue(message.contains(variable), variable + " missing from: " + message);
        }
    }

    @Test
    void scratchInsideTheWorkdirAndADefaultAboveTheMaximumAreRefused() {
        assertThrows(
                RunnerConfig.ConfigException.class,
                () -> RunnerConfig.from(Map.of("RUNNER_WORKDIR", "/mnt/data", "RUNNER_SCRATCH", "/mnt/data/build")));
        assertThrows(
                RunnerConfig.ConfigException.class,
                () -> RunnerConfig.from(Map.of("RUNNER_DEFAULT_TIMEOUT", "10m", "RUNNER_MAX_TIMEOUT", "1m")));
        assertThrows(
                RunnerConfig.ConfigException.class,
                () -> RunnerConfig.from(Map.of("RUNNER_CGROUP_PARENT", "/tmp/evil")));
    }
}
