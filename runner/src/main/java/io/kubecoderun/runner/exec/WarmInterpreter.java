package io.kubecoderun.runner.exec;

import io.kubecoderun.runner.RunnerConfig;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * The warm interpreter's lifecycle: started ahead (off the request path) in its sandbox, limits and cgroup, its
 * streams drained, blocked reading a FIFO for the one program it will run; taken by the next program of its
 * language, handed that program, or discarded. Handing it the program saves the sandbox launch and the
 * interpreter's start (about 25 ms of a hello world). The language is the one with
 * {@link Language.Trait#WARM_INTERPRETER} (Python: the wrapper {@code kcr_python.py --serve} waits on the FIFO).
 */
final class WarmInterpreter {
    private static final Logger LOG = Logger.getLogger(WarmInterpreter.class.getName());
    /** The language whose interpreter is started ahead. */
    static final Language LANGUAGE =
            Languages.with(Language.Trait.WARM_INTERPRETER).get(0);
    /** How long handing a program to a warm interpreter may take before it is given up for a cold start. */
    static final long HANDOVER_MS = 5_000;

    /** An interpreter started ahead, waiting for its program on {@code control}. */
    record Started(
            String execId,
            Path build,
            String buildView,
            Path control,
            StepRunner steps,
            StepRunner.Running running,
            BoundedOutput stdout,
            BoundedOutput stderr) {}

    private final RunnerConfig config;
    private final Sandbox sandbox;
    private final SupportFiles support;
    private final Launcher launcher;
    private final CgroupLimiter cgroups;
    private final Supplier<String> execIds;
    private final LongFunction<Limits> limitsForBudgetMs;
    private final Consumer<Path> removeLater;
    /** Starts the interpreter off the request path. */
    private final ExecutorService prestarter = Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("kcr-prestart").unstarted(r));
    /** The interpreter started ahead for the next program, or null; guarded by {@code this}. */
    private Future<Started> warm;

    private boolean closed;

    WarmInterpreter(
            RunnerConfig config,
            Sandbox sandbox,
            SupportFiles support,
            Launcher launcher,
            CgroupLimiter cgroups,
            Supplier<String> execIds,
            LongFunction<Limits> limitsForBudgetMs,
            Consumer<Path> removeLater) {
        this.config = config;
        this.sandbox = sandbox;
        this.support = support;
        this.launcher = launcher;
        this.cgroups = cgroups;
        this.execIds = execIds;
        this.limitsForBudgetMs = limitsForBudgetMs;
        this.removeLater = removeLater;
    }

    /** Starts an interpreter for the next program in the background, unless one is started or it is closed. */
    synchronized void prestart() {
        if (closed || warm != null) {
            return;
        }
        warm = prestarter.submit(this::start);
    }

    private Started start() throws IOException {
        String execId = execIds.get();
        Path build = config.scratch().resolve("exec-" + execId);
        String buildView = sandbox.buildView(build);
        Executor.deleteTree(build);
        Files.createDirectories(build);
        support.copyInto(LANGUAGE, build);
        Path control = build.resolve("control");
        Fifos.make(control);
        // The tool channel of a programmatic run, made now rather than on its request path (mkfifo is a process),
        // and before the sandbox starts, which mounts it.
        Path tools = Sandbox.toolsDir(build);
        Executor.deleteTree(tools);
        Files.createDirectories(tools);
        Fifos.make(tools.resolve(ToolChannel.BELL));
        Map<String, String> env = new LinkedHashMap<>(Languages.BASE_ENV);
        env.putAll(LANGUAGE.env());
        env.put("KCR_EXEC_ID", execId);
        // The CPU rlimit is a backstop for the largest budget; the request's own deadline is enforced on the wall.
        Limits limits = limitsForBudgetMs.apply(Math.round(config.maxTimeout().toMillis() * LANGUAGE.timeoutFactor()));
        List<String> command = new ArrayList<>(List.of(
                LANGUAGE.run().get(0), buildView + "/" + support.pythonWrapper(), "--serve", buildView + "/control"));
        if (!config.pythonPreload().isEmpty()) {
            command.add(config.pythonPreload());
        }
        List<String> argv = sandbox.wrap(command, build, sandbox.workdirView(), limits);
        Path hostCwd = sandbox.hostCwd(sandbox.workdirView(), config.workdir(), build);
        BoundedOutput stdout = new BoundedOutput(config.maxOutputBytes());
        BoundedOutput stderr = new BoundedOutput(config.maxOutputBytes());
        StepRunner steps = new StepRunner();
        StepRunner.Running running = steps.start(
                launcher, launcher.take(), argv, hostCwd, env, limits, build.resolve("launch-run.sh"), stdout, stderr);
        return new Started(execId, build, buildView, control, steps, running, stdout, stderr);
    }

    /**
     * Waits until the interpreter started ahead has imported its preloads and waits for a program, at most
     * {@code max}. Returns false when there is none or it did not get there in time.
     */
    boolean awaitReady(Duration max) {
        Future<Started> started;
        synchronized (this) {
            started = warm;
        }
        if (started == null) {
            return false;
        }
        long until = System.nanoTime() + max.toNanos();
        try {
            Started interpreter = started.get(max.toMillis(), TimeUnit.MILLISECONDS);
            Path ready = interpreter.build().resolve("control.ready");
            while (!Files.exists(ready)) {
                if (System.nanoTime() > until
                        || !interpreter.running().process().isAlive()) {
                    return false;
                }
                Thread.sleep(5);
            }
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    /** The interpreter started ahead, if it is alive (waiting for one still starting); null otherwise. */
    Started take() {
        Future<Started> started;
        synchronized (this) {
            started = warm;
            warm = null;
        }
        if (started == null) {
            return null;
        }
        try {
            Started interpreter = started.get(HANDOVER_MS, TimeUnit.MILLISECONDS);
            if (interpreter.running().process().isAlive()) {
                return interpreter;
            }
            LOG.warning("event=warm_python_died stderr=\""
                    + interpreter.stderr().text().strip() + "\"");
            discard(interpreter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            started.cancel(true);
            LOG.warning("event=warm_python_unavailable error=" + e);
        }
        return null;
    }

    /**
     * Writes the program (and its state) where the interpreter reads it and hands it over; false when the
     * interpreter did not take it, in which case nothing of the program has run.
     */
    boolean handOver(Started interpreter, ExecuteRequest request) throws IOException {
        Path build = interpreter.build();
        String view = interpreter.buildView();
        Files.writeString(build.resolve("code.py"), request.code(), StandardCharsets.UTF_8);
        String stateIn = "";
        if (request.state() != null) {
            Files.write(build.resolve("state.in"), request.state());
            stateIn = view + "/state.in";
        }
        Map<String, Object> command = new LinkedHashMap<>();
        command.put("src", view + "/code.py");
        command.put("state_in", stateIn);
        command.put("state_out", request.captureState() ? view + "/state.out" : "");
        command.put("report", view + "/state.report");
        command.put("args", request.args());
        return send(interpreter.control(), Json.write(command) + "\n");
    }

    /** Stops an unused interpreter: its tree killed, its cgroup released, its directory removed. */
    void discard(Started interpreter) {
        StepRunner.Running running = interpreter.running();
        ProcessTree.kill(
                running.process(),
                running.armed().cgroup,
                sandbox.killsTreeOnExit() ? null : "KCR_EXEC_ID=" + interpreter.execId(),
                true);
        if (running.armed().cgroup != null) {
            cgroups.release(running.armed().cgroup);
        }
        removeLater.accept(interpreter.build());
        removeLater.accept(Sandbox.toolsDir(interpreter.build()));
    }

    /** Stops starting interpreters and discards the one waiting, if any. */
    void close() {
        Future<Started> started;
        synchronized (this) {
            closed = true;
            started = warm;
            warm = null;
        }
        prestarter.shutdownNow();
        if (started != null) {
            try {
                discard(started.get(HANDOVER_MS, TimeUnit.MILLISECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                // never started: nothing to stop
            }
        }
    }

    /**
     * Hands a line through a FIFO of its own once, as a program is handed to the warm interpreter: a sandbox
     * serves one request, so that request would otherwise pay for the first run of this path (measured: 2-7 ms
     * instead of 0.3 ms). For the runner's warm-up, before it is ready.
     */
    static void warmHandover(Path dir) throws IOException {
        Path fifo = dir.resolve("kcr-warmup-fifo");
        Files.deleteIfExists(fifo);
        Fifos.make(fifo);
        try {
            Thread reader = Thread.ofVirtual().start(() -> {
                try (java.io.InputStream in = Files.newInputStream(fifo)) {
                    in.readAllBytes();
                } catch (IOException e) {
                    // The send below reports it.
                }
            });
            if (!send(fifo, "{\"warm\":true}\n")) {
                throw new IOException("the warm-up handover through " + fifo + " failed");
            }
            reader.join(HANDOVER_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(fifo);
        }
    }

    /** Writes {@code line} to the FIFO, which blocks until the interpreter opens it; gives up after a while. */
    private static boolean send(Path fifo, String line) {
        CompletableFuture<Void> write = CompletableFuture.runAsync(
                () -> {
                    try (java.io.OutputStream out = Files.newOutputStream(fifo)) {
                        out.write(line.getBytes(StandardCharsets.UTF_8));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                },
                runnable -> Thread.ofVirtual().start(runnable));
        try {
            write.get(HANDOVER_MS, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // A writer still blocked in open() is released by opening the other end once.
            Thread.ofVirtual().start(() -> {
                try (java.io.InputStream ignored = Files.newInputStream(fifo)) {
                    // nothing to read
                } catch (IOException ignoredToo) {
                    // gone already
                }
            });
        }
        return false;
    }
}
