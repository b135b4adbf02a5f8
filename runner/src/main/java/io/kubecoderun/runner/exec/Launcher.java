package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Starts user steps through a small {@code /bin/sh} that is armed ahead of the request.
 *
 * <p>Why: moving a process into a cgroup ({@code echo $$ > cgroup.procs}) makes the kernel wait for an RCU grace
 * period, and the fork that follows pays for it too — measured at 10–14 ms per Python execution on these
 * machines, half the cost of the program. So a shell is started, joined to a fresh cgroup and parked on its stdin
 * before the request comes; firing it writes the path of a script (working directory, rlimits via
 * {@code ulimit}, the allow-listed environment, then {@code exec} of the sandboxed command with stdin from
 * {@code /dev/null}) and closes the pipe. Steps after the first of an execution arm a shell on the spot.
 *
 * <p>{@code ulimit -f} counts blocks whose size differs between shells (512 bytes in dash, 1024 in bash), so the
 * block size is measured once at start-up rather than assumed.
 */
final class Launcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Launcher.class.getName());
    /** Joins the cgroup files given as arguments, says so with one byte, then runs the script it is sent. */
    private static final String ARM_SCRIPT = "for f in \"$@\"; do echo $$ > \"$f\" || exit 125; done; "
            + "printf R; IFS= read -r script || exit 125; . \"$script\"";
    /** Exit status of the launcher itself failing (cgroup join, ulimit, cd), as env(1) and nohup(1) use it. */
    static final int LAUNCH_FAILED = 125;

    private static final long ARM_WAIT_SECONDS = 30;

    /** A parked shell, inside its cgroup (if any), waiting for the script to run. */
    static final class Armed {
        final Process process;
        final Cgroup cgroup;

        Armed(Process process, Cgroup cgroup) {
            this.process = process;
            this.cgroup = cgroup;
        }
    }

    private final long fileBlockBytes;
    private final CgroupLimiter cgroups;
    private final Path parkDir;
    private final long memoryBytes;
    private final int maxPids;
    private final ExecutorService background = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "kcr-launcher");
        t.setDaemon(true);
        return t;
    });
    private Future<Armed> next;

    private Launcher(long fileBlockBytes, CgroupLimiter cgroups, Path parkDir, long memoryBytes, int maxPids) {
        this.fileBlockBytes = fileBlockBytes;
        this.cgroups = cgroups;
        this.parkDir = parkDir;
        this.memoryBytes = memoryBytes;
        this.maxPids = maxPids;
    }

    /** Measures {@code ulimit -f}'s block size in this machine's {@code /bin/sh} and arms the first shell. */
    static Launcher start(CgroupLimiter cgroups, Path parkDir, long memoryBytes, int maxPids) throws IOException {
        Process p = new ProcessBuilder(Tools.SH, "-c", "ulimit -f 2; exec cat /proc/self/limits")
                .redirectErrorStream(true)
                .start();
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
                String[] parts =
                        line.substring("Max file size".length()).strip().split("\\s+");
                Launcher launcher = new Launcher(Long.parseLong(parts[0]) / 2, cgroups, parkDir, memoryBytes, maxPids);
                launcher.armAhead();
                return launcher;
            }
        }
        throw new IOException("cannot read RLIMIT_FSIZE from /proc/self/limits");
    }

    /** Arms the shell the next {@link #take} gets, in the background, unless one is armed or arming. */
    synchronized void armAhead() {
        if (next == null) {
            next = background.submit(() -> arm(cgroups.enabled() ? cgroups.create(memoryBytes, maxPids) : null));
        }
    }

    /**
     * The shell armed ahead (or one armed now if none is ready), and the next one starts arming. A sandbox pod
     * serves one execution, armed before it was offered; a runner serving several in a row gets each shell ready
     * while the previous program runs.
     */
    synchronized Armed take() throws IOException {
        Future<Armed> ready = next;
        next = null;
        armAhead();
        if (ready == null) {
            return arm(cgroups.enabled() ? cgroups.create(memoryBytes, maxPids) : null);
        }
        try {
            return ready.get(ARM_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while arming a launcher", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.warning("event=arm_ahead_failed error=" + e.getCause());
            return arm(cgroups.enabled() ? cgroups.create(memoryBytes, maxPids) : null);
        }
    }

    /** Starts a shell, joins it to {@code cgroup} (may be null) and waits until it is parked. */
    Armed arm(Cgroup cgroup) throws IOException {
        List<String> argv = new ArrayList<>(List.of(Tools.SH, "-c", ARM_SCRIPT, "kcr-launch"));
        if (cgroup != null) {
            for (Path procs : cgroup.procsFiles()) {
                argv.add(procs.toString());
            }
        }
        ProcessBuilder builder = new ProcessBuilder(argv).directory(parkDir.toFile());
        builder.environment().clear();
        Process process = builder.start();
        InputStream out = process.getInputStream();
        int signal = out.read();
        if (signal != 'R') {
            String error = new String(process.getErrorStream().readNBytes(4096), StandardCharsets.UTF_8);
            process.destroyForcibly();
            throw new IOException("launcher shell failed to arm: " + error.strip());
        }
        return new Armed(process, cgroup);
    }

    /**
     * Runs {@code command} in the armed shell: writes the launch script to {@code scriptFile} and hands the shell
     * its path. Returns at once; the caller waits for the process.
     */
    void fire(Armed armed, List<String> command, Path hostCwd, Map<String, String> env, Limits limits, Path scriptFile)
            throws IOException {
        StringBuilder script = new StringBuilder(1024);
        script.append("cd ")
                .append(quote(hostCwd.toString()))
                .append(" || exit ")
                .append(LAUNCH_FAILED)
                .append('\n');
        script.append("ulimit -c 0 && ulimit -t ")
                .append(limits.cpuSeconds())
                .append(" && ulimit -f ")
                .append(Math.max(1, limits.fileSizeBytes() / fileBlockBytes))
                .append(" && ulimit -n ")
                .append(limits.openFiles());
        if (limits.addressSpaceBytes() > 0) {
            script.append(" && ulimit -v ").append(limits.addressSpaceBytes() / 1024);
        }
        script.append(" || exit ").append(LAUNCH_FAILED).append('\n');
        for (Map.Entry<String, String> e : env.entrySet()) {
            script.append("export ")
                    .append(e.getKey())
                    .append('=')
                    .append(quote(e.getValue()))
                    .append('\n');
        }
        script.append("exec");
        if (limits.maxProcesses() > 0) {
            script.append(' ')
                    .append(Tools.PRLIMIT)
                    .append(" --nproc=")
                    .append(limits.maxProcesses())
                    .append(" --");
        }
        for (String arg : command) {
            script.append(' ').append(quote(arg));
        }
        script.append(" </dev/null\n");
        Files.writeString(scriptFile, script, StandardCharsets.UTF_8);
        try (OutputStream in = armed.process.getOutputStream()) {
            in.write((scriptFile + "\n").getBytes(StandardCharsets.UTF_8));
        }
    }

    /** POSIX shell single quoting; NUL cannot reach a program through execve and is refused by the caller. */
    static String quote(String value) {
        return "'" + value.replace("'", "'\"'\"'") + "'";
    }

    @Override
    public synchronized void close() {
        background.shutdownNow();
        if (next != null && next.isDone()) {
            try {
                Armed armed = next.get();
                armed.process.destroyForcibly();
                if (armed.cgroup != null) {
                    cgroups.release(armed.cgroup);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException e) {
                // Never armed: nothing to stop.
            }
        }
    }
}
