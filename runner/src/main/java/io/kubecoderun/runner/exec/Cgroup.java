package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One execution's control group (a directory per controller on cgroup v1, one directory on v2): limits memory
 * and the number of processes, lists every process of the execution whatever it did to leave its parent, and
 * tells afterwards whether the memory limit killed something.
 */
final class Cgroup {
    private final List<Path> dirs;
    private final boolean unified;

    Cgroup(List<Path> dirs, boolean unified) {
        this.dirs = List.copyOf(dirs);
        this.unified = unified;
    }

    /** The {@code cgroup.procs} files a launcher writes its own pid to before it execs the command. */
    List<Path> procsFiles() {
        List<Path> files = new ArrayList<>();
        for (Path dir : dirs) {
            files.add(dir.resolve("cgroup.procs"));
        }
        return files;
    }

    /** Pids currently in the group (union over controllers). */
    List<Long> pids() {
        List<Long> pids = new ArrayList<>();
        for (Path dir : dirs) {
            try {
                for (String line : Files.readAllLines(dir.resolve("cgroup.procs"), StandardCharsets.US_ASCII)) {
                    if (!line.isBlank()) {
                        long pid = Long.parseLong(line.strip());
                        if (!pids.contains(pid)) {
                            pids.add(pid);
                        }
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // Group already gone: nothing left in it.
            }
        }
        return pids;
    }

    /** True when the kernel's OOM killer acted inside this group. */
    boolean oomKilled() {
        for (Path dir : dirs) {
            Path events = dir.resolve(unified ? "memory.events" : "memory.oom_control");
            try {
                for (String line : Files.readAllLines(events, StandardCharsets.US_ASCII)) {
                    String[] parts = line.strip().split("\\s+");
                    if (parts.length == 2 && parts[0].equals("oom_kill") && Long.parseLong(parts[1]) > 0) {
                        return true;
                    }
                }
            } catch (IOException | NumberFormatException e) {
                // No memory controller here.
            }
        }
        return false;
    }

    /** Kills every process in the group (v2: {@code cgroup.kill} when the kernel has it). */
    void killAll() {
        if (unified) {
            for (Path dir : dirs) {
                try {
                    Files.writeString(dir.resolve("cgroup.kill"), "1");
                } catch (IOException e) {
                    // Older kernel: fall through to one-by-one kills below.
                }
            }
        }
        for (Long pid : pids()) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    /** Removes the group's directories; a group that still holds a process stays and is logged by the caller. */
    boolean remove() {
        boolean all = true;
        for (Path dir : dirs) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                all = false;
            }
        }
        return all;
    }
}
