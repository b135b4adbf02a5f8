package io.kubecoderun.controller.local;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * A class-data-sharing archive of the runner's own classes for the local platform, so each of the many runner
 * JVMs it starts maps them instead of loading them (measured: 410 → 300 ms of CPU and 440 → 376 ms to ready per
 * runner, p50 of six): less CPU taken from the execution that is running while its replacement starts on the
 * same cores. One training run (a runner started with {@code -XX:ArchiveClassesAtExit}, stopped once ready)
 * makes it, in the background; runners started before it is ready start without it. The archive is named after
 * the runner command (jar bytes, JVM options, Java version) and shared by every local platform on the machine.
 */
final class RunnerArchive {
    private static final Logger LOG = Logger.getLogger(RunnerArchive.class.getName());
    private static final long TRAINING_TIMEOUT_SECONDS = 120;

    private final List<String> command;
    private final Path archive;
    private volatile boolean ready;

    /**
     * @param command {@code java ... -jar runner.jar}: the option goes right before {@code -jar}
     * @param dir     where archives are kept
     */
    RunnerArchive(List<String> command, Path dir) throws IOException {
        this.command = List.copyOf(command);
        this.archive = dir.resolve("runner-" + key(command) + ".jsa");
        this.ready = Files.isRegularFile(archive) && Files.size(archive) > 0;
    }

    /** The runner command, with the archive once there is one. */
    List<String> command() {
        if (!ready) {
            return command;
        }
        List<String> withArchive = new ArrayList<>(command);
        withArchive.add(command.indexOf("-jar"), "-XX:SharedArchiveFile=" + archive);
        return withArchive;
    }

    /** Starts the training run unless the archive exists; {@code env} is a runner's environment. */
    void prepareInBackground(Map<String, String> env, Path scratch) {
        if (ready || !command.contains("-jar")) {
            return;
        }
        Thread.ofPlatform().daemon().name("kcr-runner-cds").start(() -> {
            try {
                train(env, scratch);
            } catch (IOException | RuntimeException e) {
                LOG.warning(
                        "event=runner_cds_failed error=\"" + e.getMessage() + "\" detail=\"runners start without it\"");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void train(Map<String, String> env, Path scratch) throws IOException, InterruptedException {
        Files.createDirectories(archive.getParent());
        Path partial = Files.createTempFile(archive.getParent(), "runner-", ".jsa.part");
        Files.delete(partial); // the JVM writes it at exit
        List<String> training = new ArrayList<>(command);
        training.add(command.indexOf("-jar"), "-XX:ArchiveClassesAtExit=" + partial);
        Files.createDirectories(scratch.resolve("work"));
        Files.createDirectories(scratch.resolve("scratch"));
        ProcessBuilder builder = new ProcessBuilder(training).redirectErrorStream(true);
        builder.environment().putAll(env);
        builder.environment()
                .putAll(Map.of(
                        "RUNNER_PORT",
                        "0",
                        "RUNNER_BIND",
                        "127.0.0.1",
                        "RUNNER_WORKDIR",
                        scratch.resolve("work").toString(),
                        "RUNNER_SCRATCH",
                        scratch.resolve("scratch").toString()));
        long started = System.nanoTime();
        Process process = builder.start();
        boolean readySeen = false;
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.contains("event=ready") && !readySeen) {
                    readySeen = true;
                    // SIGTERM through the handle (Process.destroy would close the pipe being read): the JVM
                    // writes the archive as it exits; its last lines are read to the end.
                    process.toHandle().destroy();
                }
            }
        } finally {
            if (!process.waitFor(TRAINING_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            deleteTree(scratch);
        }
        if (!readySeen || !Files.isRegularFile(partial) || Files.size(partial) == 0) {
            Files.deleteIfExists(partial);
            throw new IOException("the training runner " + (readySeen ? "wrote no archive" : "never got ready"));
        }
        Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        ready = true;
        LOG.info("event=runner_cds_ready archive=" + archive + " bytes=" + Files.size(archive) + " ms="
                + (System.nanoTime() - started) / 1_000_000);
    }

    private static void deleteTree(Path root) {
        try (var paths = Files.walk(root)) {
            paths.sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            LOG.fine("event=runner_cds_cleanup_failed path=" + root + " error=" + e.getMessage());
        }
    }

    /**
     * Names the archive after what decides its validity: the jar's bytes, size and modification time (the JVM
     * checks the last two: a jar rebuilt with the same bytes makes an archive trained on the old one unusable, and
     * a runner started with it silently runs without), the options, the Java version.
     */
    private static String key(List<String> command) throws IOException {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (String part : command) {
                digest.update(part.getBytes(StandardCharsets.UTF_8));
                Path file = part.startsWith("@") ? Path.of(part.substring(1)) : Path.of(part);
                if ((part.startsWith("@") || part.endsWith(".jar")) && Files.isRegularFile(file)) {
                    digest.update(Files.readAllBytes(file));
                    digest.update((Files.size(file) + "@"
                                    + Files.getLastModifiedTime(file).toMillis())
                            .getBytes(StandardCharsets.UTF_8));
                }
            }
            digest.update(Runtime.version().toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest.digest()).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
