package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Creates a control group per execution for memory and pids limits, where the machine lets this process do so.
 *
 * <p>cgroup v1 (hybrid hosts): a child of this process's own group in the {@code memory} and {@code pids}
 * hierarchies. cgroup v2: a child of a delegated, writable parent whose {@code cgroup.subtree_control} enables
 * {@code memory} and {@code pids} (v2 forbids processes in inner groups, so the runner cannot use its own group;
 * an operator delegates one with {@code RUNNER_CGROUP_PARENT}). Anything else: no cgroup, and the runner says so
 * at start-up; rlimits still apply.
 */
public final class CgroupLimiter {
    private static final Logger LOG = Logger.getLogger(CgroupLimiter.class.getName());
    private static final Path ROOT = Path.of("/sys/fs/cgroup");

    /** Tries to remove a released group; the last processes of a killed tree may take a moment to be reaped. */
    private static final int REMOVE_ATTEMPTS = 50;

    private static final long REMOVE_PAUSE_MS = 20;

    private final List<Path> parents;
    private final boolean unified;
    private final AtomicLong sequence = new AtomicLong();
    /** Removing a used group costs milliseconds and may wait for the last processes: done off the request path. */
    private final ExecutorService housekeeping = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kcr-cgroup");
        t.setDaemon(true);
        return t;
    });

    private CgroupLimiter(List<Path> parents, boolean unified) {
        this.parents = parents;
        this.unified = unified;
    }

    /** A limiter that never creates groups. */
    public static CgroupLimiter disabled() {
        return new CgroupLimiter(List.of(), false);
    }

    /**
     * Probes the machine. {@code parentSetting}: "auto" (this process's own v1 groups, or a v2 parent only when
     * given), "off", or an absolute path of a delegated v2 group.
     */
    public static CgroupLimiter detect(String parentSetting, String runnerId) {
        if ("off".equals(parentSetting)) {
            return disabled();
        }
        try {
            if (!"auto".equals(parentSetting)) {
                Path parent = Path.of(parentSetting).resolve("kcr-" + runnerId);
                Files.createDirectories(parent);
                enableV2Controllers(parent);
                return probe(new CgroupLimiter(List.of(parent), true));
            }
            if (Files.exists(ROOT.resolve("cgroup.controllers"))) {
                return disabled(); // pure v2 without a delegated parent
            }
            List<Path> parents = new ArrayList<>();
            for (String controller : List.of("memory", "pids")) {
                Path own = ownV1Group(controller).orElse(null);
                if (own == null) {
                    return disabled();
                }
                Path parent = own.resolve("kcr-" + runnerId);
                Files.createDirectories(parent);
                parents.add(parent);
            }
            return probe(new CgroupLimiter(parents, false));
        } catch (IOException | RuntimeException e) {
            LOG.fine(() -> "cgroup probe failed: " + e);
            return disabled();
        }
    }

    private static CgroupLimiter probe(CgroupLimiter limiter) throws IOException {
        Cgroup test = limiter.create(64L << 20, 8);
        test.remove();
        return limiter;
    }

    private static void enableV2Controllers(Path parent) throws IOException {
        Files.writeString(parent.resolve("cgroup.subtree_control"), "+memory +pids");
    }

    private static Optional<Path> ownV1Group(String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"), StandardCharsets.US_ASCII)) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                Path dir = ROOT.resolve(controller).resolve(parts[2].substring(1));
                return Files.isWritable(dir) ? Optional.of(dir) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    public boolean enabled() {
        return !parents.isEmpty();
    }

    public String describe() {
        return enabled() ? (unified ? "v2 " : "v1 ") + parents : "none";
    }

    /** Kills what is left in a used group and removes it in the background. */
    void release(Cgroup group) {
        group.killAll();
        housekeeping.execute(() -> {
            for (int attempt = 0; attempt < REMOVE_ATTEMPTS; attempt++) {
                if (group.remove()) {
                    return;
                }
                group.killAll();
                try {
                    Thread.sleep(REMOVE_PAUSE_MS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            LOG.warning("event=cgroup_not_removed group=" + group.procsFiles());
        });
    }

    /** Creates a group with the given limits; the caller must {@link Cgroup#remove()} it. */
    Cgroup create(long memoryBytes, int maxPids) throws IOException {
        String name = "exec-" + sequence.incrementAndGet();
        List<Path> dirs = new ArrayList<>();
        try {
            for (Path parent : parents) {
                Path dir = parent.resolve(name);
                Files.createDirectory(dir);
                dirs.add(dir);
            }
            if (unified) {
                Path dir = dirs.get(0);
                Files.writeString(dir.resolve("memory.max"), Long.toString(memoryBytes));
                writeIfPresent(dir.resolve("memory.swap.max"), "0");
                Files.writeString(dir.resolve("pids.max"), Integer.toString(maxPids));
            } else {
                Path memory = dirs.get(0);
                Files.writeString(memory.resolve("memory.limit_in_bytes"), Long.toString(memoryBytes));
                writeIfPresent(memory.resolve("memory.memsw.limit_in_bytes"), Long.toString(memoryBytes));
                Files.writeString(dirs.get(1).resolve("pids.max"), Integer.toString(maxPids));
            }
            return new Cgroup(dirs, unified);
        } catch (IOException e) {
            new Cgroup(dirs, unified).remove();
            throw e;
        }
    }

    private static void writeIfPresent(Path file, String value) {
        if (Files.exists(file)) {
            try {
                Files.writeString(file, value);
            } catch (IOException ignored) {
                // Swap accounting is off on this kernel: the memory limit alone still holds.
            }
        }
    }

    /** Removes the runner's parent groups at shutdown, after pending removals of used groups. */
    public void close() {
        housekeeping.shutdown();
        try {
            housekeeping.awaitTermination(
                    REMOVE_ATTEMPTS * REMOVE_PAUSE_MS, java.util.concurrent.TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Path parent : parents) {
            try {
                Files.deleteIfExists(parent);
            } catch (IOException e) {
                LOG.warning("event=cgroup_cleanup_failed path=" + parent + " error=" + e.getMessage());
            }
        }
    }
}
