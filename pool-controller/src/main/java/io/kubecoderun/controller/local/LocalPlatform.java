package io.kubecoderun.controller.local;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.registry.Subscription;
import io.kubecoderun.runner.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * "Pods" as runner instances on loopback, for the embedded default and the tests. Every pod is a whole runner —
 * its own loopback port, working directory, claim, warm interpreter and sandboxes, Ready once it says so — served
 * by one long-lived host JVM ({@code runner.jar --host}, see the runner's {@code RunnerHost}) rather than a JVM of
 * its own: on one machine the isolation boundary is the bubblewrap sandbox user code runs in, so the single-use
 * unit is the sandbox, and a pod costs a sandbox start instead of a JVM start (about 300 ms of CPU). Never
 * reused: a leased pod is deleted after its one execution, its instance stopped and its directory removed.
 *
 * <p>A host that dies takes its pods with it: they report FAILED (the controller deletes and replaces them,
 * which starts a new host), and an execution in flight on one fails as a lost sandbox. A pod whose instance does
 * not stop in time gets its host killed, since a host that cannot stop an instance cannot be trusted with more.
 */
public final class LocalPlatform implements Platform {
    private static final Logger LOG = Logger.getLogger(LocalPlatform.class.getName());
    /** A running program's grace between TERM and KILL (the runner's default) and its server's stop, with room. */
    private static final long STOP_TIMEOUT_MS = 15_000;
    /** How long {@link #close} waits for the host to stop its instances before killing it. */
    private static final long HOST_EXIT_MS = 20_000;

    private static final int NAME_SUFFIX = 8;

    private final Path base;
    private final List<String> runnerCommand;
    private volatile RunnerArchive archive;
    private final Map<String, String> runnerEnv;
    private final Clock clock;
    private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
    private Host host; // guarded by this
    private volatile boolean closing;
    private int hostGeneration; // guarded by this

    /** One host JVM: its commands go to stdin, its events come from stdout, its log goes to a file. */
    private static final class Host {
        final int generation;
        final Process process;
        final Writer commands;
        volatile boolean dead;

        Host(int generation, Process process) {
            this.generation = generation;
            this.process = process;
            this.commands = new java.io.BufferedWriter(
                    new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
        }

        boolean alive() {
            return !dead && process.isAlive();
        }

        /** Sends one command; false when the host is gone. */
        boolean send(Map<String, Object> command) {
            synchronized (commands) {
                try {
                    commands.write(Json.write(command));
                    commands.write('\n');
                    commands.flush();
                    return true;
                } catch (IOException e) {
                    return false;
                }
            }
        }
    }

    private static final class LocalPod {
        final String language;
        final String name;
        final String uid;
        final String requestId;
        final Instant createdAt;
        final Path dir;
        volatile Host host;
        volatile int port = -1;
        volatile boolean deleting;
        volatile boolean failed;
        final java.util.concurrent.CountDownLatch stopped = new java.util.concurrent.CountDownLatch(1);

        LocalPod(String language, String name, String uid, String requestId, Instant createdAt, Path dir) {
            this.language = language;
            this.name = name;
            this.uid = uid;
            this.requestId = requestId;
            this.createdAt = createdAt;
            this.dir = dir;
        }

        boolean lost() {
            Host serving = host;
            return failed || (serving != null && !serving.alive());
        }
    }

    /**
     * @param base          a directory for the pods' working and scratch directories and the host's log
     * @param runnerCommand how to start a runner, e.g. {@code java @jvm.options -jar runner.jar}; the host is
     *                      that command with {@code --host}
     * @param runnerEnv     extra environment for every runner, e.g. {@code RUNNER_SANDBOX=bubblewrap}
     */
    public LocalPlatform(Path base, List<String> runnerCommand, Map<String, String> runnerEnv, Clock clock) {
        this.base = base;
        this.runnerCommand = List.copyOf(runnerCommand);
        this.runnerEnv = Map.copyOf(runnerEnv);
        this.clock = clock;
    }

    /**
     * Starts runners with a class-data-sharing archive of their classes kept in {@code archiveDir}, made by one
     * training run in the background if there is none yet for this runner command ({@link RunnerArchive}).
     */
    public LocalPlatform withClassDataSharing(Path archiveDir) {
        try {
            RunnerArchive created = new RunnerArchive(runnerCommand, archiveDir);
            Map<String, String> env = new java.util.HashMap<>(runnerEnv);
            env.put("RUNNER_LANGUAGE", "py");
            created.prepareInBackground(env, base.resolve("cds-training"));
            this.archive = created;
        } catch (IOException e) {
            java.util.logging.Logger.getLogger(LocalPlatform.class.getName())
                    .warning("event=runner_cds_failed error=\"" + e.getMessage()
                            + "\" detail=\"runners start without it\"");
        }
        return this;
    }

    @Override
    public String name() {
        return "local";
    }

    /** Runners start on the cores that run the executions: a JVM start costs 300-400 ms of CPU. */
    @Override
    public boolean sharesCoresWithExecutions() {
        return true;
    }

    @Override
    public List<SandboxPod> pods(String language) {
        List<SandboxPod> out = new ArrayList<>();
        for (LocalPod pod : pods.values()) {
            if (!pod.language.equals(language)) {
                continue;
            }
            ObservedPod.Phase phase;
            if (pod.deleting) {
                phase = ObservedPod.Phase.TERMINATING;
            } else if (pod.lost()) {
                phase = ObservedPod.Phase.FAILED;
            } else if (pod.port > 0) {
                phase = ObservedPod.Phase.READY;
            } else {
                phase = ObservedPod.Phase.STARTING;
            }
            out.add(new SandboxPod(
                    pod.language,
                    pod.name,
                    pod.uid,
                    phase,
                    false,
                    pod.createdAt,
                    pod.port > 0 ? "127.0.0.1" : null,
                    pod.port,
                    pod.requestId));
        }
        return out;
    }

    @Override
    public String create(String language, String requestId) throws PlatformException {
        String name = requestId == null
                ? "kcr-" + language + "-" + UUID.randomUUID().toString().substring(0, NAME_SUFFIX)
                : "kcr-job-" + requestId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
        LocalPod pod = new LocalPod(
                language, name, UUID.randomUUID().toString(), requestId, clock.instant(), base.resolve(name));
        if (pods.putIfAbsent(name, pod) != null) {
            return name; // the request's runner already exists: no twin
        }
        try {
            Files.createDirectories(pod.dir.resolve("work"));
            Files.createDirectories(pod.dir.resolve("scratch"));
            pod.host = host();
        } catch (IOException e) {
            pod.failed = true;
            throw new PlatformException("cannot start a runner for " + name + ": " + e.getMessage(), false, e);
        }
        Map<String, Object> env = new java.util.LinkedHashMap<>();
        env.put("RUNNER_PORT", "0");
        env.put("RUNNER_BIND", "127.0.0.1");
        env.put("RUNNER_WORKDIR", pod.dir.resolve("work").toString());
        env.put("RUNNER_SCRATCH", pod.dir.resolve("scratch").toString());
        env.put("RUNNER_LANGUAGE", language);
        env.put("RUNNER_POD_UID", pod.uid);
        env.put("RUNNER_POD_NAME", name);
        if (!pod.host.send(Map.of("op", "start", "name", name, "env", env))) {
            pod.failed = true; // reported FAILED: the controller deletes it and the next create starts a new host
            throw new PlatformException("the runner host exited before " + name + " could start", true, null);
        }
        return name;
    }

    /** The live host, or a new one (a host's death was seen by its reader, which failed its pods). */
    private synchronized Host host() throws IOException {
        if (host != null && host.alive()) {
            return host;
        }
        int generation = ++hostGeneration;
        RunnerArchive cds = archive;
        List<String> command = new ArrayList<>(cds == null ? runnerCommand : cds.command());
        command.add("--host");
        Files.createDirectories(base);
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectError(ProcessBuilder.Redirect.appendTo(
                        base.resolve("host-" + generation + ".log").toFile()));
        builder.environment().putAll(runnerEnv);
        Host started = new Host(generation, builder.start());
        host = started;
        LOG.info("event=runner_host_started generation=" + generation + " pid=" + started.process.pid());
        Thread.ofPlatform().daemon().name("kcr-runner-host-" + generation).start(() -> follow(started));
        return started;
    }

    /** Applies the host's events to its pods until its output ends, then counts the host and its pods lost. */
    private void follow(Host from) {
        try (BufferedReader reader =
                new BufferedReader(new InputStreamReader(from.process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Map<String, Object> event;
                try {
                    event = Json.parseObject(line);
                } catch (RuntimeException e) {
                    LOG.warning("event=runner_host_bad_event generation=" + from.generation);
                    continue;
                }
                LocalPod pod = pods.get(String.valueOf(event.get("name")));
                if (pod == null || pod.host != from) {
                    continue;
                }
                switch (String.valueOf(event.get("event"))) {
                    case "ready" -> pod.port = ((Number) event.get("port")).intValue();
                    case "failed" -> {
                        pod.failed = true;
                        LOG.warning(
                                "event=runner_start_failed pod=" + pod.name + " error=\"" + event.get("error") + "\"");
                    }
                    case "stopped" -> pod.stopped.countDown();
                    default -> {}
                }
                listeners.forEach(Runnable::run);
            }
        } catch (IOException e) {
            // The host's output ended with it.
        }
        from.dead = true;
        if (!closing) {
            LOG.warning("event=runner_host_exited generation=" + from.generation + " exit="
                    + exitValue(from.process)
                    + " detail=\"its pods are lost and will be replaced\"");
        }
        for (LocalPod pod : pods.values()) {
            if (pod.host == from) {
                pod.stopped.countDown(); // nothing left to stop
            }
        }
        listeners.forEach(Runnable::run);
    }

    /** The exit status of a host whose output ended, or "running" if it has not exited within a second. */
    private static String exitValue(Process process) {
        try {
            return process.waitFor(1, TimeUnit.SECONDS) ? Integer.toString(process.exitValue()) : "running";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    @Override
    public Subscription onPodsChanged(Runnable listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public void delete(SandboxPod pod) {
        LocalPod local = pods.get(pod.name());
        if (local == null || !local.uid.equals(pod.uid()) || local.deleting) {
            return; // already gone, a different pod of the same name, or already being deleted
        }
        local.deleting = true;
        Thread.ofPlatform().daemon().name("kcr-runner-stop-" + local.name).start(() -> stop(local));
    }

    private void stop(LocalPod pod) {
        Host serving = pod.host;
        if (serving != null && serving.alive() && serving.send(Map.of("op", "stop", "name", pod.name))) {
            try {
                if (!pod.stopped.await(STOP_TIMEOUT_MS, TimeUnit.MILLISECONDS) && serving.alive()) {
                    LOG.warning("event=runner_stop_timeout pod=" + pod.name + " generation=" + serving.generation
                            + " detail=\"killing its host: its other pods are lost and will be replaced\"");
                    serving.process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        removeTree(pod.dir);
        pods.remove(pod.name, pod);
    }

    private static void removeTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            LOG.warning("event=runner_dir_cleanup_failed path=" + dir + " error=" + e.getMessage());
        }
    }

    /**
     * The process serving a pod — its host, shared by every pod on it — while the pod exists, for tests that kill
     * it the way a node failure would.
     */
    public Optional<ProcessHandle> process(String name) {
        LocalPod pod = pods.get(name);
        Host serving = pod == null ? null : pod.host;
        return serving == null ? Optional.empty() : Optional.of(serving.process.toHandle());
    }

    /** Every pod by language, for tests and the dashboard. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        pods.values().forEach(p -> counts.merge(p.language, 1, Integer::sum));
        return counts;
    }

    /**
     * Stops every pod: the host is told its input has ended (it stops its instances in parallel and exits),
     * killed if it has not within {@link #HOST_EXIT_MS}; then every pod's directory is removed.
     */
    @Override
    public void close() {
        closing = true;
        pods.values().forEach(pod -> pod.deleting = true);
        Host serving;
        synchronized (this) {
            serving = host;
        }
        if (serving != null) {
            try {
                serving.commands.close();
            } catch (IOException e) {
                // Already gone.
            }
            try {
                if (!serving.process.waitFor(HOST_EXIT_MS, TimeUnit.MILLISECONDS)) {
                    LOG.warning("event=runner_host_stop_timeout generation=" + serving.generation);
                    serving.process.destroyForcibly();
                    serving.process.waitFor(HOST_EXIT_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                serving.process.destroyForcibly();
            }
        }
        for (LocalPod pod : List.copyOf(pods.values())) {
            removeTree(pod.dir);
            pods.remove(pod.name, pod);
        }
    }
}
