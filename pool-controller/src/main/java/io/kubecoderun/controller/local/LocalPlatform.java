package io.kubecoderun.controller.local;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.registry.Subscription;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * "Pods" as runner processes on loopback, for the embedded default and the tests: each pod is a fresh runner JVM
 * (any free port, its own working directory, the bubblewrap sandbox on) that is Ready once it logs its port.
 * Never reused: a leased runner is deleted after its one execution, like a pod.
 */
public final class LocalPlatform implements Platform {
    private static final Logger LOG = Logger.getLogger(LocalPlatform.class.getName());
    private static final Pattern READY = Pattern.compile("event=ready port=(\\d+)");
    /** Between TERM and KILL when a runner is deleted. */
    private static final long STOP_GRACE_MS = 5_000;

    private static final int NAME_SUFFIX = 8;

    private final Path base;
    private final List<String> runnerCommand;
    private volatile RunnerArchive archive;
    private final Map<String, String> runnerEnv;
    private final Clock clock;
    private final Map<String, LocalPod> pods = new ConcurrentHashMap<>();
    private final List<Runnable> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();

    private static final class LocalPod {
        final String language;
        final String name;
        final String uid;
        final String requestId;
        final Instant createdAt;
        final Path dir;
        volatile Process process;
        volatile int port = -1;
        volatile boolean deleting;
        volatile boolean failed;

        LocalPod(String language, String name, String uid, String requestId, Instant createdAt, Path dir) {
            this.language = language;
            this.name = name;
            this.uid = uid;
            this.requestId = requestId;
            this.createdAt = createdAt;
            this.dir = dir;
        }
    }

    /**
     * @param base          a directory for the runners' working, scratch and log files
     * @param runnerCommand how to start a runner, e.g. {@code java @jvm.options -jar runner.jar}
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
            Process process = pod.process;
            ObservedPod.Phase phase;
            if (pod.deleting) {
                phase = ObservedPod.Phase.TERMINATING;
            } else if (pod.failed || (process != null && !process.isAlive())) {
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
            RunnerArchive cds = archive;
            ProcessBuilder builder =
                    new ProcessBuilder(cds == null ? runnerCommand : cds.command()).redirectErrorStream(true);
            builder.environment().putAll(runnerEnv);
            builder.environment()
                    .putAll(Map.of(
                            "RUNNER_PORT",
                            "0",
                            "RUNNER_BIND",
                            "127.0.0.1",
                            "RUNNER_WORKDIR",
                            pod.dir.resolve("work").toString(),
                            "RUNNER_SCRATCH",
                            pod.dir.resolve("scratch").toString(),
                            "RUNNER_LANGUAGE",
                            language,
                            "RUNNER_POD_UID",
                            pod.uid,
                            "RUNNER_POD_NAME",
                            name));
            pod.process = builder.start();
        } catch (IOException e) {
            pod.failed = true;
            throw new PlatformException("cannot start a runner for " + name + ": " + e.getMessage(), false, e);
        }
        Thread.ofPlatform().daemon().name("kcr-runner-log-" + name).start(() -> follow(pod));
        return name;
    }

    /** Copies the runner's log to its file and notes its port once it is ready. */
    private void follow(LocalPod pod) {
        Process process = pod.process;
        try (BufferedReader reader =
                        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                Writer log = Files.newBufferedWriter(pod.dir.resolve("runner.log"))) {
            String line;
            while ((line = reader.readLine()) != null) {
                log.write(line);
                log.write('\n');
                log.flush();
                Matcher m = READY.matcher(line);
                if (pod.port < 0 && m.find()) {
                    pod.port = Integer.parseInt(m.group(1));
                    listeners.forEach(Runnable::run);
                }
            }
        } catch (IOException e) {
            // The runner's output ended with it, or its directory was removed after deletion.
        }
        listeners.forEach(Runnable::run); // it exited
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
        Process process = pod.process;
        if (process != null) {
            process.toHandle().destroy();
            try {
                if (!process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(STOP_GRACE_MS, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
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

    /** The runner process behind a pod, for tests that kill one the way a node failure would. */
    public Optional<ProcessHandle> process(String name) {
        LocalPod pod = pods.get(name);
        return pod == null || pod.process == null ? Optional.empty() : Optional.of(pod.process.toHandle());
    }

    /** Every pod by language, for tests and the dashboard. */
    public Map<String, Integer> counts() {
        Map<String, Integer> counts = new HashMap<>();
        pods.values().forEach(p -> counts.merge(p.language, 1, Integer::sum));
        return counts;
    }

    @Override
    public void close() {
        List<Thread> stopping = new ArrayList<>();
        for (LocalPod pod : pods.values()) {
            pod.deleting = true;
            stopping.add(Thread.ofPlatform().daemon().start(() -> stop(pod)));
        }
        for (Thread thread : stopping) {
            try {
                thread.join(2 * STOP_GRACE_MS + 1_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
