package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Runs one command (a compile or a run step) to completion or its deadline: stdin from /dev/null, both streams drained
 * concurrently into bounded buffers, and afterwards — on exit as on timeout — the whole process tree killed, so
 * nothing the step started outlives it or holds its pipes open.
 */
final class StepRunner {
    private static final Logger LOG = Logger.getLogger(StepRunner.class.getName());
    /** How long readers may take to reach end of stream once the tree is dead (buffered pipe contents). */
    private static final long READER_GRACE_MS = 2_000;

    /**
     * Platform threads that drain the pipes, kept for reuse (blocking pipe reads would pin virtual threads);
     * bounded by one execution at a time per runner, two streams each.
     */
    private static final ExecutorService READERS = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("kcr-output").unstarted(r));

    /** Exit status reported for a step stopped at its deadline, as GNU timeout(1) does. */
    static final int TIMEOUT_EXIT_CODE = 124;

    /** {@code cancelled}: stopped by shutdown rather than by its deadline. */
    record Outcome(int exitCode, boolean timedOut, boolean cancelled, long elapsedMs) {}

    /** Exit status reported for a step stopped by shutdown: 128 + SIGTERM. */
    static final int CANCELLED_EXIT_CODE = 143;

    /** The process currently running, so shutdown can stop it; null between steps. */
    private volatile Process current;

    private volatile boolean cancelled;

    /** A step fired in its shell and not yet waited for. */
    record Running(Process process, Launcher.Armed armed, Future<?> out, Future<?> err) {}

    /**
     * Fires {@code command} in the armed shell and waits for it, until {@code deadline} (which a programmatic
     * execution's waits move).
     *
     * @param pidNamespace the sandbox kills every process when its first one exits, so after a normal exit
     *                     there is nothing to sweep; the sweep still runs after a timeout
     */
    Outcome run(
            Launcher launcher,
            Launcher.Armed armed,
            List<String> command,
            Path hostCwd,
            Map<String, String> env,
            Limits limits,
            Path scriptFile,
            Deadline deadline,
            BoundedOutput stdout,
            BoundedOutput stderr,
            String marker,
            boolean pidNamespace)
            throws IOException {
        if (cancelled) {
            armed.process.destroyForcibly();
            return new Outcome(CANCELLED_EXIT_CODE, false, true, 0);
        }
        long start = System.nanoTime();
        Running running = start(launcher, armed, command, hostCwd, env, limits, scriptFile, stdout, stderr);
        return finish(running, start, deadline, marker, pidNamespace);
    }

    /** Fires {@code command} with both streams being drained; returns at once. */
    Running start(
            Launcher launcher,
            Launcher.Armed armed,
            List<String> command,
            Path hostCwd,
            Map<String, String> env,
            Limits limits,
            Path scriptFile,
            BoundedOutput stdout,
            BoundedOutput stderr)
            throws IOException {
        Process process = armed.process;
        current = process;
        Future<?> out = READERS.submit(() -> stdout.drain(process.getInputStream()));
        Future<?> err = READERS.submit(() -> stderr.drain(process.getErrorStream()));
        launcher.fire(armed, command, hostCwd, env, limits, scriptFile);
        return new Running(process, armed, out, err);
    }

    /**
     * Waits for a started step until {@code deadlineNanos}, then kills its whole tree and collects its streams.
     *
     * @param startNanos from when the step counts as running (its elapsed time)
     */
    Outcome finish(Running running, long startNanos, Deadline deadline, String marker, boolean pidNamespace) {
        Process process = running.process();
        current = process;
        boolean finished;
        try {
            finished = !cancelled && deadline.awaitExit(process);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            finished = false;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
        ProcessTree.kill(process, running.armed().cgroup, marker, !finished || !pidNamespace);
        joinReaders(process, running.out(), running.err());
        current = null;
        if (cancelled) {
            return new Outcome(CANCELLED_EXIT_CODE, false, true, elapsedMs);
        }
        int exitCode = finished ? exitValue(process) : TIMEOUT_EXIT_CODE;
        return new Outcome(exitCode, !finished, false, elapsedMs);
    }

    private static int exitValue(Process process) {
        try {
            return process.waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return TIMEOUT_EXIT_CODE;
        }
    }

    private static void joinReaders(Process process, Future<?> out, Future<?> err) {
        long until = System.currentTimeMillis() + READER_GRACE_MS;
        try {
            out.get(Math.max(1, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
            err.get(Math.max(1, until - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // Checked below.
        }
        if (!out.isDone() || !err.isDone()) {
            // Something outside every net still holds the pipe; stop waiting and keep what was read.
            LOG.warning("event=pipe_held_open pid=" + process.pid() + " action=abandon_readers");
            closeQuietly(process);
        }
    }

    private static void closeQuietly(Process process) {
        try {
            process.getInputStream().close();
            process.getErrorStream().close();
        } catch (IOException ignored) {
            // Best effort: the daemon reader threads end with the pipe.
        }
    }

    /** Stops the running step (shutdown): TERM to the tree, then KILL after the grace. */
    void cancel(long graceMs) {
        cancelled = true;
        Process process = current;
        if (process == null) {
            return;
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroy);
        process.toHandle().destroy(); // the handle: Process.destroy() would close the pipes being drained
        try {
            process.waitFor(graceMs, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.toHandle().destroyForcibly();
    }
}
