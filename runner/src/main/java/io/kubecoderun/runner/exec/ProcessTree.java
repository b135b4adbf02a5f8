package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kills everything an execution started, including what left its parent: a grandchild of {@code sh -c}, a
 * {@code setsid}/{@code nohup} job, a double fork. Three nets, used together: the descendants of the started
 * process (taken before it dies, since orphans are re-parented), the execution's cgroup, and — without a pid
 * namespace — a scan of {@code /proc} for the execution's marker variable, which every descendant inherits.
 * Every kill goes through {@link ProcessHandle}, never {@link Process#destroy()}, which would close the pipes the
 * output readers are still draining.
 */
final class ProcessTree {
    /** Rounds of sweeping; a fork loop is bounded by the pids limit, so a few rounds empty it. */
    private static final int SWEEP_ROUNDS = 50;

    private static final long SWEEP_PAUSE_MS = 2;

    private ProcessTree() {}

    /**
     * @param sweep whether to walk and sweep (a few milliseconds, more while dying processes linger in the
     *              cgroup); skipped only after a normal exit from a pid namespace, where the kernel is already
     *              killing the rest and the cgroup is swept again when it is released
     */
    static void kill(Process process, Cgroup cgroup, String marker, boolean sweep) {
        if (!sweep) {
            // Through the handle: Process.destroyForcibly() also closes our ends of the pipes, and output the
            // readers have not drained yet would be lost (seen under load: "1" for "1\n", or nothing).
            process.toHandle().destroyForcibly();
            return;
        }
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(process.toHandle());
        process.toHandle().descendants().forEach(tree::add);
        for (ProcessHandle handle : tree) {
            handle.destroyForcibly();
        }
        for (int round = 0; round < SWEEP_ROUNDS; round++) {
            boolean found = false;
            if (cgroup != null) {
                List<Long> pids = cgroup.pids();
                if (!pids.isEmpty()) {
                    found = true;
                    cgroup.killAll();
                }
            }
            if (marker != null) {
                for (long pid : pidsWithMarker(marker)) {
                    found = true;
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
            if (!found) {
                return;
            }
            try {
                Thread.sleep(SWEEP_PAUSE_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Live processes (not zombies) whose environment holds {@code marker} as a whole entry. */
    static List<Long> pidsWithMarker(String marker) {
        byte[] needle = (marker + "\0").getBytes(StandardCharsets.US_ASCII);
        long self = ProcessHandle.current().pid();
        List<Long> found = new ArrayList<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid;
                try {
                    pid = Long.parseLong(proc.getFileName().toString());
                } catch (NumberFormatException e) {
                    continue;
                }
                if (pid == self) {
                    continue;
                }
                try {
                    byte[] env = Files.readAllBytes(proc.resolve("environ"));
                    if (contains(env, needle) && !isZombie(proc)) {
                        found.add(pid);
                    }
                } catch (IOException | SecurityException e) {
                    // Another user's process, or gone: not ours.
                }
            }
        } catch (IOException e) {
            // No /proc: only the descendant walk and cgroup apply.
        }
        return found;
    }

    private static boolean isZombie(Path proc) throws IOException {
        String stat = Files.readString(proc.resolve("stat"), StandardCharsets.US_ASCII);
        int close = stat.lastIndexOf(')');
        return close > 0 && close + 2 < stat.length() && stat.charAt(close + 2) == 'Z';
    }

    private static boolean contains(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (i > 0 && haystack[i - 1] != 0) {
                continue; // entries start after a NUL
            }
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
