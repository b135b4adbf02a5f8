package io.kubecoderun.standalone.bench;

import io.kubecoderun.runner.exec.BubblewrapSandbox;
import io.kubecoderun.runner.exec.Limits;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The baseline: a workload's steps as bare processes in the runner's own bubblewrap sandbox
 * ({@link BubblewrapSandbox#wrap}, the limits a runner gives an execution), with the environment the runner gives
 * that language, nothing else: no runner, no HTTP, no pool. Each thread gets its own working and build directory, as
 * each execution has its own pod, so concurrent baselines do not share files.
 */
final class Bare {
    static final Limits LIMITS = new Limits(512L << 20, 256, 60, 100L << 20, 1024, 0, 0, 256L << 20);

    private final Path dir;
    private final Path bwrap;
    private final Map<Long, Slot> slots = new ConcurrentHashMap<>();

    private record Slot(BubblewrapSandbox sandbox, Path work, Path build) {}

    Bare(Path dir) {
        this.dir = dir;
        this.bwrap = BubblewrapSandbox.locate()
                .orElseThrow(() -> new IllegalStateException("bubblewrap is not installed (./kcr installs it)"));
    }

    /** Runs the workload's steps once; a step that fails or prints the wrong answer throws. */
    void run(Workload workload) throws Exception {
        Slot slot = slot();
        if (workload.output() != null) {
            Files.deleteIfExists(slot.work.resolve(workload.output()));
        }
        if (workload.source() != null) {
            Files.writeString(slot.build.resolve(workload.source()), workload.code(), StandardCharsets.UTF_8);
        }
        String last = null;
        for (Workload.Step step : workload.steps()) {
            List<String> argv = slot.sandbox.wrap(
                    step.command(),
                    slot.build,
                    step.inBuildDir() ? slot.sandbox.buildView(slot.build) : slot.sandbox.workdirView(),
                    LIMITS);
            ProcessBuilder builder = new ProcessBuilder(argv)
                    .directory(slot.build.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectErrorStream(true);
            builder.environment().clear();
            builder.environment().putAll(workload.env());
            Process p = builder.start();
            last = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("bare " + workload.id() + " failed: " + last);
            }
        }
        if (!workload.stdout().equals(last)) {
            throw new IllegalStateException("bare " + workload.id() + " printed " + last);
        }
        if (workload.output() != null && !Files.isRegularFile(slot.work.resolve(workload.output()))) {
            throw new IllegalStateException("bare " + workload.id() + " left no " + workload.output());
        }
    }

    private Slot slot() throws IOException {
        long thread = Thread.currentThread().threadId();
        Slot slot = slots.get(thread);
        if (slot == null) {
            Path root = Files.createDirectories(dir.resolve("bare-" + thread));
            Path work = Files.createDirectories(root.resolve("work"));
            Path build = Files.createDirectories(root.resolve("build"));
            slot = new Slot(
                    new BubblewrapSandbox(bwrap, work, Files.createDirectories(root.resolve("support"))), work, build);
            slots.put(thread, slot);
        }
        return slot;
    }

    /** For the record: the command lines of the workload's steps (sandbox arguments left out). */
    static List<String> describe(Workload workload) {
        List<String> out = new ArrayList<>();
        for (Workload.Step step : workload.steps()) {
            out.add(String.join(" ", step.command()).replace("\n", "\\n"));
        }
        return out;
    }
}
