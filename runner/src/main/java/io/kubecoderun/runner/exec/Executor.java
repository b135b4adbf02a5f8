package io.kubecoderun.runner.exec;

import io.kubecoderun.runner.RunnerConfig;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.lang.JavaSource;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.StateError;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Runs one execution: writes the code and its support files to a fresh build directory, compiles if the language
 * needs it, runs the program in the working directory under the sandbox and limits, and collects output, exit
 * status and (Python) state. Compile and run share one deadline: the caller's timeout times the language factor.
 */
public final class Executor {
    private static final Logger LOG = Logger.getLogger(Executor.class.getName());

    private final RunnerConfig config;
    private final Sandbox sandbox;
    private final CgroupLimiter cgroups;
    private final Path workdir;
    private final Launcher launcher;
    private final SupportFiles support;
    private final String runnerId;
    private final AtomicLong sequence = new AtomicLong();
    private final Map<String, Boolean> installed = new HashMap<>();
    private volatile StepRunner currentStep;
    /** Why the running execution was stopped, for its answer; null: not stopped (or shutdown). */
    private volatile String stopReason;

    private static final String SHUTDOWN = "the sandbox is shutting down";
    /** Removing a build directory (a compiler's output can be large) is not the caller's wait. */
    private final java.util.concurrent.ExecutorService cleanup = java.util.concurrent.Executors.newSingleThreadExecutor(
            r -> Thread.ofPlatform().daemon().name("kcr-cleanup").unstarted(r));
    /** The interpreter started ahead for the next program of its language. */
    private final WarmInterpreter warm;

    /**
     * @param runnerId names this runner's executions (their markers, cgroups and support files) apart from every
     *                 other runner's in the same JVM (a {@code RunnerHost}'s instances) and on the machine
     */
    public Executor(RunnerConfig config, Sandbox sandbox, CgroupLimiter cgroups, String runnerId) throws IOException {
        this.config = config;
        this.runnerId = runnerId;
        this.support = SupportFiles.prepare(config.scratch().resolve("support-" + runnerId));
        this.launcher = Launcher.start(cgroups, config.scratch(), config.memoryLimitBytes(), config.pidsLimit());
        this.sandbox = sandbox;
        this.cgroups = cgroups;
        this.workdir = config.workdir();
        this.warm = new WarmInterpreter(
                config,
                sandbox,
                support,
                launcher,
                cgroups,
                () -> runnerId + "-" + sequence.incrementAndGet(),
                budgetMs -> limits(WarmInterpreter.LANGUAGE, budgetMs),
                this::removeLater);
        for (Language language : Languages.all()) {
            installed.put(language.id(), toolchainPresent(language));
        }
    }

    /** Whether this runner starts an interpreter ahead: switched on, and the image has that language. */
    public boolean warmInterpreterAvailable() {
        return config.warmPython() && installed.getOrDefault(WarmInterpreter.LANGUAGE.id(), false);
    }

    /** The languages whose toolchain this image has, in table order. */
    public List<String> availableLanguages() {
        return Languages.all().stream().map(Language::id).filter(installed::get).toList();
    }

    private static boolean toolchainPresent(Language language) {
        List<String> first = language.compiled() ? language.compile() : language.run();
        return Tools.which(first.get(0)).isPresent();
    }

    public ExecuteResponse execute(ExecuteRequest request) throws IOException {
        return execute(request, null);
    }

    /**
     * Runs the program; with {@code programmatic} its tools are set up in the build directory, the run waits on a
     * deadline the tool waits move, and the channel is closed when the program ends.
     */
    public ExecuteResponse execute(ExecuteRequest request, ProgrammaticRun programmatic) throws IOException {
        stopReason = null;
        Language language = Languages.find(request.lang())
                .orElseThrow(() -> new RunnerException.BadRequest(
                        RunnerError.UNSUPPORTED_LANGUAGE,
                        "unknown language '" + request.lang() + "'; supported: " + Languages.ids()));
        if (!installed.get(language.id())) {
            throw new RunnerException.BadRequest(
                    RunnerError.LANGUAGE_UNAVAILABLE,
                    language.displayName() + " is not installed in this sandbox; available: " + availableLanguages());
        }
        if (request.state() != null && request.state().length > config.maxStateBytes()) {
            throw new RunnerException.TooLarge(
                    "state is " + request.state().length + " bytes; the cap is " + config.maxStateBytes());
        }
        Duration timeout = effectiveTimeout(request.timeoutMs());
        long budgetMs = Math.round(timeout.toMillis() * language.timeoutFactor());
        try {
            if (language.has(Language.Trait.WARM_INTERPRETER)) {
                WarmInterpreter.Started interpreter = warm.take();
                if (interpreter != null) {
                    ExecuteResponse response = executeWarm(interpreter, language, request, budgetMs, programmatic);
                    if (response != null) {
                        return response;
                    } // the interpreter never took the program: run it the usual way
                    String reason = stopReason;
                    if (reason != null) {
                        return stoppedBeforeStart(language, reason); // it was stopped while being handed over
                    }
                }
            }
            return executeCold(language, request, budgetMs, programmatic);
        } finally {
            if (programmatic != null) {
                programmatic.channel().close();
            }
        }
    }

    private ExecuteResponse executeCold(
            Language language, ExecuteRequest request, long budgetMs, ProgrammaticRun programmatic) throws IOException {
        Deadline deadline = programmatic != null
                ? programmatic.begin(budgetMs * 1_000_000L)
                : Deadline.fixed(System.nanoTime() + budgetMs * 1_000_000L);

        String execId = runnerId + "-" + sequence.incrementAndGet();
        Path build = config.scratch().resolve("exec-" + execId);
        Launcher.Armed armed = null;
        Cgroup cgroup = null;
        StepRunner steps = new StepRunner();
        currentStep = steps;
        try {
            Map<String, String> vars = prepareBuild(language, request, build);
            Map<String, String> env = new LinkedHashMap<>(Languages.BASE_ENV);
            env.putAll(language.env());
            env.put("KCR_EXEC_ID", execId);
            if (programmatic != null) {
                env.putAll(programmatic
                        .channel()
                        .prepare(build, sandbox.buildView(build), Sandbox.toolsDir(build), sandbox.toolsView(build)));
                programmatic.channel().start(programmatic);
            }
            String marker = "KCR_EXEC_ID=" + execId;

            BoundedOutput stdout = new BoundedOutput(config.maxOutputBytes());
            BoundedOutput stderr = new BoundedOutput(config.maxOutputBytes());
            Limits limits = limits(language, budgetMs);
            armed = launcher.take();
            cgroup = armed.cgroup;
            long start = System.nanoTime();
            StepRunner.Outcome outcome = null;
            if (language.compiled()) {
                Launcher.Armed first = armed;
                armed = null;
                // Compiler output is diagnostics wherever the compiler prints it (tsc uses stdout): stderr.
                outcome = step(
                        steps,
                        first,
                        language.compile(),
                        List.of(),
                        vars,
                        vars.get("build"),
                        build,
                        env,
                        deadline,
                        stderr,
                        stderr,
                        marker,
                        limits,
                        "compile");
            }
            if (outcome == null || (outcome.exitCode() == 0 && !outcome.timedOut() && !outcome.cancelled())) {
                Launcher.Armed shell = armed != null ? armed : launcher.arm(cgroup);
                armed = null;
                outcome = step(
                        steps,
                        shell,
                        language.run(),
                        request.args(),
                        vars,
                        sandbox.workdirView(),
                        build,
                        env,
                        deadline,
                        stdout,
                        stderr,
                        marker,
                        limits,
                        "run");
            }
            long elapsedMs = (System.nanoTime() - start) / 1_000_000L;
            return respond(language, request, outcome, elapsedMs, stdout, stderr, cgroup, build, budgetMs, false);
        } finally {
            currentStep = null;
            if (armed != null) {
                armed.process.destroyForcibly(); // taken but never fired
            }
            if (cgroup != null) {
                cgroups.release(cgroup);
            }
            removeLater(build);
            removeLater(Sandbox.toolsDir(build));
        }
    }

    /** The answer to an execution stopped before its program ran. */
    public static ExecuteResponse stoppedBeforeStart(Language language, String reason) {
        return new ExecuteResponse(
                StepRunner.CANCELLED_EXIT_CODE,
                "",
                "Execution stopped: " + reason + "\n",
                false,
                0,
                null,
                List.of(),
                false,
                false,
                false,
                language.id());
    }

    /** The answer to an execution that ran (cold or warm): termination lines, OOM, state and its report. */
    private ExecuteResponse respond(
            Language language,
            ExecuteRequest request,
            StepRunner.Outcome outcome,
            long elapsedMs,
            BoundedOutput stdout,
            BoundedOutput stderr,
            Cgroup cgroup,
            Path build,
            long budgetMs,
            boolean warmStart)
            throws IOException {
        boolean python = language.has(Language.Trait.KEEPS_STATE);
        boolean oom = cgroup != null && cgroup.oomKilled();
        if (outcome.cancelled()) {
            String reason = stopReason;
            stderr.appendText(
                    terminatedLine(stderr) + "Execution stopped: " + (reason == null ? SHUTDOWN : reason) + "\n");
        } else if (outcome.timedOut()) {
            stderr.appendText(terminatedLine(stderr) + "Execution timed out after " + seconds(budgetMs) + " seconds\n");
        } else if (oom) {
            stderr.appendText(terminatedLine(stderr) + "Killed: the memory limit of "
                    + (config.memoryLimitBytes() >> 20) + " MiB was exceeded\n");
        } else {
            String signal = Signals.describeExit(outcome.exitCode());
            if (signal != null) {
                stderr.appendText(terminatedLine(stderr) + signal + "\n");
            }
        }
        List<StateError> stateErrors = python ? readReport(build.resolve("state.report")) : List.of();
        byte[] state = python && request.captureState() ? readState(build.resolve("state.out"), stateErrors) : null;
        String line = "event=execute lang=" + language.id() + " exit=" + outcome.exitCode() + " timed_out="
                + outcome.timedOut() + " oom=" + oom + " ms=" + elapsedMs + " warm=" + warmStart;
        try {
            cleanup.execute(
                    () -> LOG.info(line)); // formatting and writing a log line: about 1 ms, off the answer's path
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            LOG.info(line);
        }
        return new ExecuteResponse(
                outcome.exitCode(),
                stdout.text(),
                stderr.text(),
                outcome.timedOut(),
                elapsedMs,
                state,
                stateErrors,
                stdout.truncated(),
                stderr.truncated(),
                oom,
                language.id());
    }

    // ---- the warm Python interpreter -------------------------------------------------------------------------

    /**
     * Starts a Python interpreter for the next Python program in the background, unless one is started, Python
     * is not installed, or {@code RUNNER_PYTHON_WARM=false}. A pod's runner calls it once before it is ready;
     * a runner serving several executions (no claim) again after each.
     */
    public void prestartPython() {
        if (warmInterpreterAvailable()) {
            warm.prestart();
        }
    }

    /**
     * Waits until the interpreter started ahead has imported its preloads and waits for a program, at most
     * {@code max}: a pod says it is ready only then, so its one request never waits for {@code import pandas}.
     */
    public boolean awaitWarmPython(Duration max) {
        return warm.awaitReady(max);
    }

    /** The FIFO handover's first run, for the runner's warm-up (see {@link WarmInterpreter#warmHandover}). */
    public void warmHandover(Path dir) throws IOException {
        WarmInterpreter.warmHandover(dir);
    }

    /**
     * Hands the program to a warm interpreter and waits for it like any run; null when the interpreter did not
     * take the program (it is then discarded and nothing of the program has run).
     */
    private ExecuteResponse executeWarm(
            WarmInterpreter.Started interpreter,
            Language python,
            ExecuteRequest request,
            long budgetMs,
            ProgrammaticRun programmatic)
            throws IOException {
        boolean handedOver = false;
        Cgroup cgroup = interpreter.running().armed().cgroup;
        currentStep = interpreter.steps();
        try {
            if (!Files.isDirectory(workdir)) {
                return null; // removed since the interpreter started there: a cold start recreates it
            }
            if (programmatic != null) {
                programmatic
                        .channel()
                        .prepare(
                                interpreter.build(),
                                interpreter.buildView(),
                                Sandbox.toolsDir(interpreter.build()),
                                sandbox.toolsView(interpreter.build()));
                programmatic.channel().start(programmatic);
            }
            long start = System.nanoTime();
            Deadline deadline = programmatic != null
                    ? programmatic.begin(budgetMs * 1_000_000L)
                    : Deadline.fixed(start + budgetMs * 1_000_000L);
            handedOver = warm.handOver(interpreter, request);
            if (!handedOver) {
                LOG.warning("event=warm_python_handover_failed detail=\"running the program cold\"");
                return null;
            }
            StepRunner.Outcome outcome = interpreter
                    .steps()
                    .finish(
                            interpreter.running(),
                            start,
                            deadline,
                            sandbox.killsTreeOnExit() ? null : "KCR_EXEC_ID=" + interpreter.execId(),
                            sandbox.killsTreeOnExit());
            return respond(
                    python,
                    request,
                    outcome,
                    outcome.elapsedMs(),
                    interpreter.stdout(),
                    interpreter.stderr(),
                    cgroup,
                    interpreter.build(),
                    budgetMs,
                    true);
        } finally {
            currentStep = null;
            if (!handedOver) {
                warm.discard(interpreter);
            } else {
                if (cgroup != null) {
                    cgroups.release(cgroup);
                }
                removeLater(interpreter.build());
                removeLater(Sandbox.toolsDir(interpreter.build()));
            }
        }
    }

    private void removeLater(Path build) {
        Runnable removeBuild = () -> {
            try {
                deleteTree(build);
            } catch (IOException e) {
                LOG.warning("event=build_cleanup_failed path=" + build + " error=" + e.getMessage());
            }
        };
        try {
            cleanup.execute(removeBuild);
        } catch (java.util.concurrent.RejectedExecutionException shuttingDown) {
            removeBuild.run();
        }
    }

    /** Writes the source, support files and state into a fresh build directory; returns the placeholders. */
    private Map<String, String> prepareBuild(Language language, ExecuteRequest request, Path build) throws IOException {
        boolean python = language.has(Language.Trait.KEEPS_STATE);
        boolean mainClass = language.has(Language.Trait.MAIN_CLASS_FROM_SOURCE);
        String buildView = sandbox.buildView(build);
        if (!Files.isDirectory(workdir)) {
            Files.createDirectories(workdir); // a previous program of a non-pod runner removed it
        }
        deleteTree(build);
        Files.createDirectories(mainClass ? build.resolve("classes") : build);
        String source = language.sourceFileName().apply(request.code());
        Files.writeString(build.resolve(source), request.code(), StandardCharsets.UTF_8);
        support.copyInto(language, build);
        Map<String, String> vars = new HashMap<>();
        vars.put("src", buildView + "/" + source);
        vars.put("build", buildView);
        vars.put("bin", buildView + "/prog");
        vars.put("main", mainClass ? JavaSource.mainClass(request.code()) : "");
        vars.put("state_in", "");
        vars.put("state_out", python && request.captureState() ? buildView + "/state.out" : "");
        vars.put("state_report", buildView + "/state.report");
        vars.put("python_wrapper", support.pythonWrapper());
        if (python && request.state() != null) {
            Files.write(build.resolve("state.in"), request.state());
            vars.put("state_in", buildView + "/state.in");
        }
        return vars;
    }

    private StepRunner.Outcome step(
            StepRunner steps,
            Launcher.Armed armed,
            List<String> template,
            List<String> args,
            Map<String, String> vars,
            String cwdView,
            Path build,
            Map<String, String> env,
            Deadline deadline,
            BoundedOutput stdout,
            BoundedOutput stderr,
            String marker,
            Limits limits,
            String name)
            throws IOException {
        List<String> command = new ArrayList<>(Language.expand(template, vars));
        command.addAll(args);
        List<String> argv = sandbox.wrap(command, build, cwdView, limits);
        Path hostCwd = sandbox.hostCwd(cwdView, workdir, build);
        // Without a pid namespace, the marker scan is what finds escaped processes.
        String scan = sandbox.killsTreeOnExit() ? null : marker;
        return steps.run(
                launcher,
                armed,
                argv,
                hostCwd,
                env,
                limits,
                build.resolve("launch-" + name + ".sh"),
                deadline,
                stdout,
                stderr,
                scan,
                sandbox.killsTreeOnExit());
    }

    private Limits limits(Language language, long budgetMs) {
        long cpuSeconds = (budgetMs / 1000 + 1) * Runtime.getRuntime().availableProcessors() + 1;
        // With a cgroup, memory is bounded there; RLIMIT_AS is the fallback, and only for runtimes that bear it.
        long addressSpace =
                !cgroups.enabled() && language.limitAddressSpace() ? config.memoryLimitBytes() + (512L << 20) : 0;
        return new Limits(
                config.memoryLimitBytes(),
                config.pidsLimit(),
                cpuSeconds,
                config.fileSizeLimitBytes(),
                config.openFilesLimit(),
                addressSpace,
                config.processLimit(),
                config.tmpSizeBytes());
    }

    private Duration effectiveTimeout(long requestedMs) {
        Duration requested = requestedMs > 0 ? Duration.ofMillis(requestedMs) : config.defaultTimeout();
        return requested.compareTo(config.maxTimeout()) > 0 ? config.maxTimeout() : requested;
    }

    private static String seconds(long ms) {
        return ms % 1000 == 0 ? Long.toString(ms / 1000) : String.format(java.util.Locale.ROOT, "%.1f", ms / 1000.0);
    }

    private static String terminatedLine(BoundedOutput stderr) {
        String text = stderr.text();
        return text.isEmpty() || text.endsWith("\n") ? "" : "\n";
    }

    private List<StateError> readReport(Path report) throws IOException {
        List<StateError> errors = new ArrayList<>();
        if (Files.exists(report)) {
            for (String line : Files.readAllLines(report, StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    errors.add(new StateError(line.substring(0, tab), line.substring(tab + 1)));
                }
            }
        }
        return errors;
    }

    private byte[] readState(Path stateOut, List<StateError> errors) throws IOException {
        if (!Files.isRegularFile(stateOut)) {
            return null;
        }
        long size = Files.size(stateOut);
        if (size > config.maxStateBytes()) {
            errors.add(new StateError(
                    "<state>", "not saved: " + size + " bytes exceeds the cap of " + config.maxStateBytes()));
            return null;
        }
        return Files.readAllBytes(stateOut);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Stops the warm interpreter and the parked launcher shell at shutdown. */
    public void close() {
        warm.close();
        launcher.close();
        cleanup.shutdown();
        try {
            cleanup.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Stops a running execution for shutdown: TERM, the grace, then KILL. */
    public void cancel(Duration grace) {
        cancel(grace, SHUTDOWN);
    }

    /**
     * Stops the running execution (TERM, the grace, KILL); its answer says {@code reason}. False when nothing was
     * running.
     */
    public boolean cancel(Duration grace, String reason) {
        StepRunner steps = currentStep;
        if (steps == null) {
            return false;
        }
        stopReason = reason;
        steps.cancel(grace.toMillis());
        return true;
    }
}
