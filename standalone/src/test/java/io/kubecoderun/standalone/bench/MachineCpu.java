package io.kubecoderun.standalone.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The machine's own CPU accounting, from the first ({@code cpu}, all CPUs) line of {@code /proc/stat}: busy time is
 * user + nice + system + irq + softirq + steal; idle and iowait are not busy (guest time is already inside user).
 * Whatever shape the platform has (runner processes, one host process, Jobs), everything it does on this machine is
 * in these counters, the bench's own client included.
 */
final class MachineCpu {
    /** USER_HZ, the unit of /proc/stat; 100 on every Linux the project runs on, asked of getconf when present. */
    static final double TICKS_PER_SECOND = ticksPerSecond();

    private MachineCpu() {}

    /** Busy ticks of all CPUs since boot. */
    static long busyTicks() throws IOException {
        return busyTicks(Files.readAllLines(Path.of("/proc/stat")).get(0));
    }

    /** Busy ticks of one {@code cpu} line: {@code cpu user nice system idle iowait irq softirq steal guest ...}. */
    static long busyTicks(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (!f[0].startsWith("cpu") || f.length < 8) {
            throw new IllegalArgumentException("not a /proc/stat cpu line: " + cpuLine);
        }
        long busy = 0;
        for (int column : List.of(1, 2, 3, 6, 7)) { // user nice system irq softirq
            busy += Long.parseLong(f[column]);
        }
        if (f.length > 8) {
            busy += Long.parseLong(f[8]); // steal (kernels since 2.6.11)
        }
        return busy;
    }

    /**
     * A process's CPU ticks from {@code /proc/<pid>/stat}: {utime + stime, cutime + cstime} (its own, and that of its
     * children it has reaped); null when it is gone.
     */
    static long[] processTicks(long pid) {
        try {
            return processTicks(Files.readString(Path.of("/proc", Long.toString(pid), "stat")));
        } catch (IOException gone) {
            return null;
        }
    }

    static long[] processTicks(String stat) {
        // pid (comm) state ppid ...: comm may hold spaces and parentheses, the fields follow the last ')'
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
        return new long[] {Long.parseLong(f[11]) + Long.parseLong(f[12]), Long.parseLong(f[13]) + Long.parseLong(f[14])
        };
    }

    /**
     * A process tree's CPU ticks so far: {the root's own, everything under it}. Each process is counted once: a live
     * one by its own and its reaped children's time, a gone one in the time of the parent that reaped it.
     */
    static long[] treeTicks(ProcessHandle root) {
        long[] top = processTicks(root.pid());
        if (top == null) {
            return new long[] {0, 0};
        }
        long below = top[1];
        for (ProcessHandle p : root.descendants().toList()) {
            long[] t = processTicks(p.pid());
            if (t != null) {
                below += t[0] + t[1];
            }
        }
        return new long[] {top[0], below};
    }

    static double millis(long ticks) {
        return ticks * 1000.0 / TICKS_PER_SECOND;
    }

    /** {@code /proc/loadavg}'s three averages, for the output's record of the conditions. */
    static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown (" + e.getMessage() + ")";
        }
    }

    private static double ticksPerSecond() {
        try {
            Process p = new ProcessBuilder("getconf", "CLK_TCK").start();
            String out = new String(p.getInputStream().readAllBytes()).trim();
            if (p.waitFor() == 0 && out.matches("[0-9]+")) {
                return Double.parseDouble(out);
            }
        } catch (IOException e) {
            // no getconf: the kernel's constant
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 100;
    }
}
