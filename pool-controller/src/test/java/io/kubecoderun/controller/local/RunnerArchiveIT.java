package io.kubecoderun.controller.local;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.testing.Leases;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runners' class-data-sharing archive: trained once from the real runner, then mapped by every runner. */
class RunnerArchiveIT {

    @Test
    void oneTrainingRunMakesAnArchiveThatRunnersMapAndItIsReusedByTheNextPlatform(@TempDir Path temp) throws Exception {
        List<String> command = Leases.runnerCommand();
        RunnerArchive archive = new RunnerArchive(command, temp.resolve("cds"));
        assertEquals(command, archive.command(), "no archive yet: the plain command");
        archive.prepareInBackground(
                Map.of("RUNNER_SANDBOX", "bubblewrap", "RUNNER_LANGUAGE", "py"), temp.resolve("training"));
        List<String> withArchive = await("an archive within 90 s")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(archive::command, c -> !c.equals(command));
        String option = withArchive.stream()
                .filter(a -> a.startsWith("-XX:SharedArchiveFile="))
                .findFirst()
                .orElseThrow(() -> new AssertionError("a changed command without the archive: " + withArchive));
        Path file = Path.of(option.substring(option.indexOf('=') + 1));
        assertTrue(Files.size(file) > 100_000, "an archive of classes: " + Files.size(file) + " bytes");
        assertTrue(withArchive.indexOf(option) < withArchive.indexOf("-jar"), "a JVM option, before -jar");
        try (var parts = Files.list(temp.resolve("cds"))) {
            assertFalse(parts.anyMatch(p -> p.toString().endsWith(".part")), "no partial archive left");
        }
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50)) // right after the archive is in place
                .untilAsserted(() -> assertFalse(
                        Files.exists(temp.resolve("training")), "the training runner's directories are removed"));

        // -Xshare:on refuses to start when the archive cannot be mapped for this JVM and class path.
        List<String> check = new ArrayList<>(List.of(
                command.get(0),
                command.get(1),
                "-Xshare:on",
                option,
                "-cp",
                command.get(command.indexOf("-jar") + 1),
                "-version"));
        Process java = new ProcessBuilder(check).redirectErrorStream(true).start();
        String out = new String(java.getInputStream().readAllBytes());
        assertTrue(java.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, java.exitValue(), out);

        assertEquals(
                withArchive,
                new RunnerArchive(command, temp.resolve("cds")).command(),
                "a later platform finds it and trains nothing");
    }

    /**
     * The failure this pins: the archive was named after the jar's bytes only, so a rebuild with the same bytes
     * (a new modification time) kept using an archive the JVM now refuses ("shared class paths mismatch"), and
     * every runner silently started without it (replacements ~10 % slower in {@code ./kcr bench standalone}).
     */
    @Test
    void aRebuiltJarWithTheSameBytesIsNotGivenTheOldJarsArchive(@TempDir Path temp) throws Exception {
        List<String> original = Leases.runnerCommand();
        Path jar = Files.copy(Path.of(original.get(original.indexOf("-jar") + 1)), temp.resolve("runner.jar"));
        List<String> command = new ArrayList<>(original);
        command.set(command.indexOf("-jar") + 1, jar.toString());
        RunnerArchive archive = new RunnerArchive(command, temp.resolve("cds"));
        archive.prepareInBackground(
                Map.of("RUNNER_SANDBOX", "bubblewrap", "RUNNER_LANGUAGE", "py"), temp.resolve("training"));
        await("an archive within 90 s")
                .atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(100))
                .until(archive::command, c -> !c.equals(command));
        assertNotEquals(command, new RunnerArchive(command, temp.resolve("cds")).command(), "the same jar: reused");

        Files.setLastModifiedTime(
                jar,
                java.nio.file.attribute.FileTime.fromMillis(
                        Files.getLastModifiedTime(jar).toMillis() + 60_000));
        assertEquals(
                command,
                new RunnerArchive(command, temp.resolve("cds")).command(),
                "the same bytes, rebuilt: the old archive no longer maps, so it is not handed out");
    }
}
