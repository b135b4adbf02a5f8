package io.kubecoderun.runner;

import io.kubecoderun.runner.wire.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;

/**
 * Many runner instances in one JVM, for the local platform ({@code java -jar runner.jar --host}). Each instance is
 * a whole {@link RunnerMain} — its own loopback port, working and scratch directories, claim, warm interpreter
 * and sandboxes — and is single use like a pod: the platform starts one per "pod" and stops it after its one
 * execution. What the host saves is the JVM: an instance costs a sandbox start (its warm interpreter) instead of
 * a JVM start (about 300 ms of CPU), because the isolation boundary on one machine is the bubblewrap sandbox user
 * code runs in, not the runner process; user code never runs in this JVM or shares a namespace with it.
 *
 * <p>The protocol, one JSON object per line; logs go to stderr:
 *
 * <pre>
 *   stdin  {"op":"start","name":N,"env":{"RUNNER_WORKDIR":...}}   stdout {"event":"ready","name":N,"port":P}
 *                                                                  or     {"event":"failed","name":N,"error":E}
 *   stdin  {"op":"stop","name":N}                                  stdout {"event":"stopped","name":N}
 * </pre>
 *
 * An instance's settings are the host's environment with the command's {@code env} on top, validated as a
 * runner's are. When stdin ends (the platform is gone, whichever way it went) every instance is stopped and the
 * host exits, so no host outlives its platform; a host killed outright takes its sandboxes with it (bubblewrap's
 * {@code --die-with-parent}) and the platform reports its instances failed.
 */
public final class RunnerHost {
    private static final Logger LOG = Logger.getLogger(RunnerHost.class.getName());
    /** Longest an instance's stop may take at the end: a running program's grace plus the server's own stop. */
    private static final long STOP_ALL_SECONDS = 15;

    private final Map<String, String> baseEnv;
    private final PrintStream events;
    private final Map<String, CompletableFuture<RunnerMain>> instances = new ConcurrentHashMap<>();
    /** Whether an instance has run the request paths once: the JIT's work is shared, so only the first pays. */
    private final AtomicBoolean warmedUp = new AtomicBoolean();

    RunnerHost(Map<String, String> baseEnv, PrintStream events) {
        this.baseEnv = Map.copyOf(baseEnv);
        this.events = events;
    }

    /** The host's whole life: serves stdin, then stops every instance and exits. */
    static void run() {
        RunnerHost host = new RunnerHost(System.getenv(), System.out);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            host.stopAll();
                            RunnerLogManager.shutdownComplete();
                        },
                        "kcr-host-shutdown"));
        LOG.info("event=host_ready pid=" + ProcessHandle.current().pid());
        try {
            host.serve(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        } catch (IOException e) {
            LOG.warning("event=host_input_failed error=\"" + e.getMessage() + "\"");
        }
        LOG.info("event=host_input_closed detail=\"the platform is gone: stopping every instance\"");
        System.exit(0); // the shutdown hook stops the instances
    }

    /** Serves commands until the input ends; each command runs on its own thread, in arrival order per name. */
    void serve(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> command;
            try {
                command = Json.parseObject(line);
            } catch (RuntimeException e) {
                LOG.warning("event=host_bad_command error=\"" + e.getMessage() + "\"");
                continue;
            }
            String op = String.valueOf(command.get("op"));
            String name = String.valueOf(command.get("name"));
            switch (op) {
                case "start" -> start(name, stringMap(command.get("env")));
                case "stop" -> stop(name);
                default -> LOG.warning("event=host_bad_command op=" + op);
            }
        }
    }

    private static Map<String, String> stringMap(Object value) {
        Map<String, String> out = new HashMap<>();
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> out.put(String.valueOf(k), String.valueOf(v)));
        }
        return out;
    }

    /** Starts an instance in the background; its {@code ready} (or {@code failed}) event follows. */
    void start(String name, Map<String, String> env) {
        CompletableFuture<RunnerMain> started = new CompletableFuture<>();
        if (instances.putIfAbsent(name, started) != null) {
            emit("failed", name, "error", "an instance of this name exists");
            return;
        }
        Thread.ofVirtual().name("kcr-host-start-" + name).start(() -> {
            Map<String, String> merged = new HashMap<>(baseEnv);
            merged.putAll(env);
            RunnerMain runner = null;
            try {
                runner = new RunnerMain(RunnerConfig.from(merged), !warmedUp.getAndSet(true));
                runner.start();
                started.complete(runner);
                emit("ready", name, "port", runner.port());
            } catch (IOException | RuntimeException e) {
                LOG.warning("event=instance_failed name=" + name + " error=\"" + e.getMessage() + "\"");
                if (runner != null) {
                    runner.stop();
                }
                instances.remove(name, started);
                started.completeExceptionally(e);
                emit("failed", name, "error", String.valueOf(e.getMessage()));
            }
        });
    }

    /** Stops an instance once its start has finished (whichever way); {@code stopped} follows in every case. */
    void stop(String name) {
        CompletableFuture<RunnerMain> started = instances.remove(name);
        if (started == null) {
            emit("stopped", name, null, null);
            return;
        }
        started.handleAsync(
                (runner, failure) -> {
                    if (runner != null) {
                        runner.stop();
                    }
                    emit("stopped", name, null, null);
                    return null;
                },
                command -> Thread.ofVirtual().name("kcr-host-stop-" + name).start(command));
    }

    /** Stops every instance, in parallel, for the host's own end. */
    void stopAll() {
        List<CompletableFuture<?>> stopping = new ArrayList<>();
        for (String name : List.copyOf(instances.keySet())) {
            CompletableFuture<RunnerMain> started = instances.remove(name);
            if (started != null) {
                stopping.add(started.thenAcceptAsync(
                        RunnerMain::stop, command -> Thread.ofVirtual().start(command)));
            }
        }
        try {
            CompletableFuture.allOf(stopping.toArray(CompletableFuture[]::new))
                    .orTimeout(STOP_ALL_SECONDS, TimeUnit.SECONDS)
                    .exceptionally(failure -> null)
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            // Timed out or an instance failed to start: nothing more to stop.
        }
        LOG.info("event=host_stopped instances=" + stopping.size());
    }

    private void emit(String event, String name, String key, Object value) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("event", event);
        line.put("name", name);
        if (key != null) {
            line.put(key, value);
        }
        String text = Json.write(line);
        synchronized (events) {
            events.println(text);
            events.flush();
        }
    }
}
