package io.kubecoderun.runner;

import com.sun.net.httpserver.HttpServer;
import io.kubecoderun.runner.api.ClaimEndpoint;
import io.kubecoderun.runner.api.ExecuteEndpoint;
import io.kubecoderun.runner.api.FilesEndpoint;
import io.kubecoderun.runner.api.HealthEndpoint;
import io.kubecoderun.runner.exec.BubblewrapSandbox;
import io.kubecoderun.runner.exec.CgroupLimiter;
import io.kubecoderun.runner.exec.Executor;
import io.kubecoderun.runner.exec.NoSandbox;
import io.kubecoderun.runner.exec.Sandbox;
import io.kubecoderun.runner.exec.Tools;
import io.kubecoderun.runner.files.Workspace;
import io.kubecoderun.runner.http.Router;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.Json;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Starts the runner: validates the configuration, prepares the sandbox, binds the port, and on shutdown turns
 * readiness off first, then stops a running program (TERM, grace, KILL), then the server.
 */
public final class RunnerMain {
    /** How long start-up waits for the warm Python interpreter (and its preloads) before saying ready anyway. */
    private static final java.time.Duration WARM_PYTHON_WAIT = java.time.Duration.ofSeconds(30);
    /** The file the warm-up puts through the file routes and removes again. */
    private static final String WARMUP_FILE = ".kcr-warmup";

    static {
        // Before the first logger exists: keep logging alive through the shutdown hook (see RunnerLogManager).
        System.setProperty("java.util.logging.manager", RunnerLogManager.class.getName());
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tFT%1$tT.%1$tLZ %4$s %3$s %5$s%6$s%n");
    }

    private static final Logger LOG = Logger.getLogger(RunnerMain.class.getName());
    /** Listed files per {@code GET /files}; far above the API's output cap, small enough to answer fast. */
    private static final int MAX_LISTED_FILES = 10_000;
    /** Seconds the HTTP server waits for in-flight exchanges to finish at shutdown. */
    private static final int SERVER_STOP_SECONDS = 1;

    /** Instances in this JVM: one, or many under a {@link RunnerHost}; their cgroups and files need distinct names. */
    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES =
            new java.util.concurrent.atomic.AtomicInteger();

    private final RunnerConfig config;
    private final boolean warmUpPaths;
    private final AtomicBoolean ready = new AtomicBoolean();
    private HttpServer server;
    private ExecutorService threads;
    private Executor executor;
    private CgroupLimiter cgroups;
    private Path supportDir;

    public RunnerMain(RunnerConfig config) {
        this(config, true);
    }

    /**
     * @param warmUpPaths whether start-up runs the request paths once ({@link #warmUp}); a host's later instances
     *                    skip it, since the JIT's work is shared by every instance in the JVM
     */
    RunnerMain(RunnerConfig config, boolean warmUpPaths) {
        this.config = config;
        this.warmUpPaths = warmUpPaths;
    }

    public static void main(String[] args) {
        if (args.length > 0 && args[0].equals("--host")) {
            RunnerHost.run();
            return;
        }
        long started = System.nanoTime();
        RunnerConfig config;
        try {
            config = RunnerConfig.fromEnvironment();
        } catch (RunnerConfig.ConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        RunnerMain runner = new RunnerMain(config);
        try {
            runner.start();
        } catch (IOException | IllegalStateException e) {
            System.err.println("runner failed to start: " + e.getMessage());
            System.exit(1);
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            runner.stop();
                            RunnerLogManager.shutdownComplete();
                        },
                        "kcr-shutdown"));
        LOG.info("event=ready port=" + runner.port() + " sandbox=" + config.sandbox() + " startup_ms="
                + (System.nanoTime() - started) / 1_000_000);
    }

    public void start() throws IOException {
        Files.createDirectories(config.workdir());
        Files.createDirectories(config.scratch());
        if (!Files.isExecutable(Path.of(Tools.PRLIMIT))) {
            throw new IllegalStateException(Tools.PRLIMIT + " is missing (util-linux): limits cannot be applied");
        }
        int instance = INSTANCES.incrementAndGet();
        // "<pid>" alone, as ever, for a runner in its own JVM; "<pid>i<n>" for a host's later instances, so no
        // execution id ("<runner id>-<sequence>", the marker its processes are swept by) is another's.
        String runnerId = ProcessHandle.current().pid() + (instance == 1 ? "" : "i" + instance);
        Sandbox sandbox = sandbox(runnerId);
        cgroups = CgroupLimiter.detect(config.cgroupParent(), runnerId);
        if (cgroups.enabled()) {
            LOG.info("event=cgroup mode=" + cgroups.describe());
        } else {
            LOG.warning("event=no_cgroup detail=\"memory and pids are bounded by rlimits only (no writable cgroup)\"");
        }
        executor = new Executor(config, sandbox, cgroups, runnerId);
        if (config.language() != null && !executor.availableLanguages().contains(config.language())) {
            throw new IllegalStateException("RUNNER_LANGUAGE=" + config.language()
                    + " but its toolchain is not installed; available: " + executor.availableLanguages());
        }
        Claim claim = new Claim();
        Workspace workspace = new Workspace(config.workdir(), config.maxFileBytes(), MAX_LISTED_FILES);
        HealthEndpoint health = new HealthEndpoint(ready::get);
        ClaimEndpoint claims = new ClaimEndpoint(
                claim, config.podUid(), config.podName(), config.language(), ready::get, executor::availableLanguages);
        ExecuteEndpoint execute =
                new ExecuteEndpoint(executor, claim, config.podUid(), workspace, config.maxRequestBytes(), ready::get);
        FilesEndpoint files = new FilesEndpoint(workspace, claim);
        Router router = new Router()
                .exact("/health", health::health)
                .exact("/ready", health::ready)
                .exact("/status", claims::status)
                .exact("/claim", claims::claim)
                .exact("/execute", execute::execute)
                .exact("/execute/continue", execute::continueProgrammatic)
                .exact("/execute/cancel", execute::cancel)
                .prefix("/files", files::files);

        threads = Executors.newVirtualThreadPerTaskExecutor();
        server = HttpServer.create(new InetSocketAddress(config.bindAddress(), config.port()), 0);
        server.createContext("/", router);
        server.setExecutor(threads);
        server.start();
        executor.prestartPython(); // while the paths warm up
        if (warmUpPaths) {
            warmUp(workspace);
        }
        if (executor.warmInterpreterAvailable()) {
            long waitStart = System.nanoTime();
            if (executor.awaitWarmPython(WARM_PYTHON_WAIT)) {
                LOG.info("event=warm_python_ready waited_ms=" + (System.nanoTime() - waitStart) / 1_000_000
                        + " preload=\"" + config.pythonPreload() + "\"");
            } else {
                LOG.warning("event=warm_python_not_ready after=" + WARM_PYTHON_WAIT
                        + " detail=\"ready anyway; the first Python request may wait for its interpreter\"");
            }
        }
        ready.set(true);
    }

    /**
     * Runs the request paths once before the runner says it is ready. A sandbox serves a single request, so
     * without this every request would pay for class loading and interpretation in a cold JVM (measured: about
     * 70 ms of a Python hello world end to end); now the pod's start-up pays, before it is offered.
     */
    private void warmUp(Workspace workspace) {
        long started = System.nanoTime();
        try {
            if (executor.availableLanguages().contains("bash")) {
                var request = ExecuteRequest.fromJson(
                        Json.parseObject("{\"lang\":\"bash\",\"code\":\":\",\"args\":[],\"timeout_ms\":10000}"));
                Json.write(executor.execute(request).toJson());
            }
            workspace.list();
            if (executor.warmInterpreterAvailable()) {
                executor.warmHandover(config.scratch());
            }
            selfRequest("GET", "/status", "");
            // The file routes a request's inputs and outputs take (first use measured at 12.8 ms for a PUT):
            // a file in, listed, read, removed again, so nothing of it is left to look like an output.
            String path = "/files/" + WARMUP_FILE;
            selfRequest("PUT", path, "kcr warm-up\n");
            selfRequest("GET", "/files", "");
            selfRequest("GET", path, "");
            selfRequest("DELETE", path, "");
        } catch (IOException | RuntimeException e) {
            LOG.warning("event=warmup_failed error=" + e); // only slower, never wrong
        }
        LOG.fine("warm-up took " + (System.nanoTime() - started) / 1_000_000 + " ms");
    }

    /** One HTTP/1.1 request to this runner over a plain socket (the runtime has no HTTP client module). */
    private void selfRequest(String method, String path, String body) throws IOException {
        byte[] content = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var socket = new java.net.Socket(
                config.bindAddress().equals("0.0.0.0") ? "127.0.0.1" : config.bindAddress(), port())) {
            socket.getOutputStream()
                    .write((method + " " + path + " HTTP/1.1\r\nHost: warmup\r\nConnection: close\r\n"
                                    + "Content-Length: " + content.length + "\r\n\r\n")
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            socket.getOutputStream().write(content);
            socket.getInputStream().readAllBytes();
        }
    }

    private Sandbox sandbox(String runnerId) throws IOException {
        if (config.sandbox().equals("bubblewrap")) {
            Path bwrap = BubblewrapSandbox.locate()
                    .orElseThrow(() -> new IllegalStateException(
                            "RUNNER_SANDBOX=bubblewrap but bwrap is not installed (apt-get install bubblewrap)"));
            supportDir = config.scratch().resolve("support-" + runnerId);
            Files.createDirectories(supportDir);
            return new BubblewrapSandbox(bwrap, config.workdir(), supportDir);
        }
        LOG.warning("event=no_sandbox detail=\"user code runs without bubblewrap: only safe inside a single-use pod\"");
        return new NoSandbox(config.workdir());
    }

    /** The bound port (useful with RUNNER_PORT=0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public void stop() {
        ready.set(false);
        if (executor != null) {
            executor.cancel(config.shutdownGrace()); // the program first: TERM, grace, KILL
        }
        if (server != null) {
            server.stop(SERVER_STOP_SECONDS); // lets the cancelled execution's answer go out
        }
        if (executor != null) {
            executor.close();
        }
        if (threads != null) {
            threads.shutdownNow();
        }
        if (cgroups != null) {
            cgroups.close();
        }
        if (supportDir != null) {
            try (var files = Files.list(supportDir)) {
                for (Path file : files.toList()) {
                    Files.deleteIfExists(file);
                }
                Files.deleteIfExists(supportDir);
            } catch (IOException e) {
                LOG.warning("event=support_cleanup_failed path=" + supportDir + " error=" + e.getMessage());
            }
        }
        LOG.info("event=stopped");
    }
}
