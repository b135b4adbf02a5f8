package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the command prefix that starts every user step: one {@code /bin/sh} that joins the execution's cgroup
 * (before anything can fork), sets the rlimits with {@code ulimit}, and execs the sandbox. One small shell instead
 * of a shell plus prlimit saves an exec on every step; {@code prlimit} is added only for RLIMIT_NPROC, which
 * shells spell differently.
 *
 * <p>{@code ulimit -f} counts blocks whose size differs between shells (512 bytes in dash, 1024 in bash), so
 * the block size is measured once at start-up rather than assumed.
 */
final class Launcher {
    private static final String SCRIPT_JOIN =
            "for f in \"$@\"; do [ \"$f\" = -- ] && break; echo $$ > \"$f\" || exit 125; shift; done; shift; ";

    private final long fileBlockBytes;

    private Launcher(long fileBlockBytes) {
        this.fileBlockBytes = fileBlockBytes;
    }

    /** Measures {@code ulimit -f}'s block size in this machine's {@code /bin/sh}. */
    static Launcher probe() throws IOException {
        Process p = new ProcessBuilder(Tools.SH, "-c", "ulimit -f 2; exec cat /proc/self/limits")
                .redirectErrorStream(true).start();
        String limits = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("probing " + Tools.SH + " ulimit failed: " + limits.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while probing ulimit", e);
        }
        for (String line : limits.split("\n")) {
            if (line.startsWith("Max file size")) {
                String[] parts = line.substring("Max file size".length()).strip().split("\\s+");
                return new Launcher(Long.parseLong(parts[0]) / 2);
            }
        }
        throw new IOException("cannot read RLIMIT_FSIZE from /proc/self/limits");
    }

    List<String> prefix(Limits limits, Cgroup cgroup) {
        StringBuilder script = new StringBuilder(256);
        List<String> argv = new ArrayList<>(List.of(Tools.SH, "-c"));
        List<String> params = new ArrayList<>();
        if (cgroup != null) {
            script.append(SCRIPT_JOIN);
            for (var procs : cgroup.procsFiles()) {
                params.add(procs.toString());
            }
            params.add("--");
        }
        script.append("ulimit -c 0 && ulimit -t ").append(limits.cpuSeconds())
                .append(" && ulimit -f ").append(Math.max(1, limits.fileSizeBytes() / fileBlockBytes))
                .append(" && ulimit -n ").append(limits.openFiles());
        if (limits.addressSpaceBytes() > 0) {
            script.append(" && ulimit -v ").append(limits.addressSpaceBytes() / 1024);
        }
        script.append(" || exit 125; exec \"$@\"");
        argv.add(script.toString());
        argv.add("kcr-launch");
        argv.addAll(params);
        if (limits.maxProcesses() > 0) {
            argv.addAll(List.of(Tools.PRLIMIT, "--nproc=" + limits.maxProcesses(), "--"));
        }
        return argv;
    }
}
