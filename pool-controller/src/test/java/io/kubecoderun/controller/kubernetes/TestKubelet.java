package io.kubecoderun.controller.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * The kubelet and Job controller of the tests, against the fabric8 mock API server in CRUD mode: every created
 * pod becomes a real runner process on its own loopback address (127.0.0.N:8080) with the pod's environment, and
 * is reported Running and Ready with that podIP; every Job gets a pod from its template. It can also make a
 * language's pods never ready or unschedulable, kill a runner mid-execution, or evict a pod.
 */
final class TestKubelet implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("event=ready port=(\\d+)");
    /** Loopback addresses handed out across the whole test run, so a stopping runner never collides. */
    private static final AtomicInteger NEXT_ADDRESS = new AtomicInteger(2);

    private final KubernetesClient client;
    private final String namespace;
    private final Path base;
    private final List<String> runnerCommand;
    private final Map<String, Process> runners = new ConcurrentHashMap<>();
    private final Set<String> neverReady = ConcurrentHashMap.newKeySet();
    private final Set<String> unschedulable = ConcurrentHashMap.newKeySet();
    /** Pods deleted, so that a runner still starting for one is stopped instead of outliving the test run. */
    private final Set<String> deleted = ConcurrentHashMap.newKeySet();

    private volatile boolean closed;
    private final ExecutorService work = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "test-kubelet");
        t.setDaemon(true);
        return t;
    });
    final AtomicInteger podsSeen = new AtomicInteger();
    final AtomicInteger maxConcurrentPods = new AtomicInteger();
    private final Watch podWatch;
    private final Watch jobWatch;

    TestKubelet(KubernetesClient client, String namespace, Path base, List<String> runnerCommand) {
        this.client = client;
        this.namespace = namespace;
        this.base = base;
        this.runnerCommand = runnerCommand;
        this.podWatch = client.pods().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Pod pod) {
                String name = pod.getMetadata().getName();
                if (action == Action.ADDED) {
                    podsSeen.incrementAndGet();
                    maxConcurrentPods.accumulateAndGet(
                            client.pods()
                                    .inNamespace(namespace)
                                    .list()
                                    .getItems()
                                    .size(),
                            Math::max);
                    work.execute(() -> start(pod));
                } else if (action == Action.DELETED) {
                    deleted.add(name);
                    Process process = runners.remove(name);
                    if (process != null) {
                        killContainer(process);
                    }
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
        this.jobWatch = client.batch().v1().jobs().inNamespace(namespace).watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Job job) {
                if (action == Action.ADDED) {
                    work.execute(() -> createJobPod(job));
                } else if (action == Action.DELETED) {
                    client.pods()
                            .inNamespace(namespace)
                            .withLabel("job-name", job.getMetadata().getName())
                            .delete();
                }
            }

            @Override
            public void onClose(WatcherException cause) {}
        });
    }

    void neverReady(String language) {
        neverReady.add(language);
    }

    void makeUnschedulable(String language) {
        unschedulable.add(language);
    }

    void heal(String language) {
        neverReady.remove(language);
        unschedulable.remove(language);
    }

    /** The runner dies (OOM, node failure): process killed, pod reported Failed. */
    void kill(String podName) {
        Process process = runners.remove(podName);
        if (process != null) {
            killContainer(process);
        }
        client.pods().inNamespace(namespace).withName(podName).editStatus(p -> new PodBuilder(p)
                .editStatus()
                .withPhase("Failed")
                .withConditions()
                .endStatus()
                .build());
    }

    /** The pod is evicted: deleted from the API, its runner killed by the watch. */
    void evict(String podName) {
        client.pods().inNamespace(namespace).withName(podName).delete();
    }

    int runningRunners() {
        return (int) runners.values().stream().filter(Process::isAlive).count();
    }

    private void createJobPod(Job job) {
        Map<String, String> labels =
                new HashMap<>(job.getSpec().getTemplate().getMetadata().getLabels());
        labels.put("job-name", job.getMetadata().getName());
        Pod pod = new PodBuilder()
                .withNewMetadata()
                .withName(job.getMetadata().getName() + "-"
                        + UUID.randomUUID().toString().substring(0, 5))
                .withNamespace(namespace)
                .withLabels(labels)
                .withOwnerReferences(new OwnerReferenceBuilder()
                        .withApiVersion("batch/v1")
                        .withKind("Job")
                        .withName(job.getMetadata().getName())
                        .withUid(job.getMetadata().getUid())
                        .build())
                .endMetadata()
                .withSpec(job.getSpec().getTemplate().getSpec())
                .build();
        client.pods().inNamespace(namespace).resource(pod).create();
    }

    private void start(Pod pod) {
        String name = pod.getMetadata().getName();
        String language = pod.getMetadata().getLabels().get(SandboxPods.LABEL_LANGUAGE);
        if (unschedulable.contains(language)) {
            setStatus(
                    name,
                    new PodStatusBuilder()
                            .withPhase("Pending")
                            .withConditions(new PodConditionBuilder()
                                    .withType("PodScheduled")
                                    .withStatus("False")
                                    .withReason("Unschedulable")
                                    .build())
                            .build());
            return;
        }
        if (neverReady.contains(language)) {
            setStatus(name, new PodStatusBuilder().withPhase("Pending").build());
            return;
        }
        String ip = "127.0.0." + (NEXT_ADDRESS.getAndIncrement() % 250 + 2);
        try {
            Path dir = Files.createDirectories(base.resolve(name));
            ProcessBuilder builder = new ProcessBuilder(runnerCommand).redirectErrorStream(true);
            Map<String, String> env = builder.environment();
            for (EnvVar var : pod.getSpec().getContainers().get(0).getEnv()) {
                if (var.getValue() != null) {
                    env.put(var.getName(), var.getValue());
                }
            }
            env.put("RUNNER_POD_UID", pod.getMetadata().getUid());
            env.put("RUNNER_POD_NAME", name);
            env.put("RUNNER_BIND", ip);
            env.put(
                    "RUNNER_WORKDIR",
                    Files.createDirectories(dir.resolve("data")).toString());
            env.put(
                    "RUNNER_SCRATCH",
                    Files.createDirectories(dir.resolve("tmp")).toString());
            Process process = builder.start();
            runners.put(name, process);
            if (closed || deleted.contains(name)) {
                // Deleted, or the kubelet closed, while this runner started: it would hold its address forever.
                runners.remove(name);
                killContainer(process);
                return;
            }
            try (BufferedReader reader = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                    java.io.Writer log = Files.newBufferedWriter(dir.resolve("runner.log"))) {
                String line;
                boolean reported = false;
                while ((line = reader.readLine()) != null) {
                    log.write(line + "\n");
                    log.flush();
                    if (!reported && READY.matcher(line).find()) {
                        reported = true;
                        setStatus(
                                name,
                                new PodStatusBuilder()
                                        .withPhase("Running")
                                        .withPodIP(ip)
                                        .withStartTime(Instant.now().toString())
                                        .withConditions(
                                                new PodConditionBuilder()
                                                        .withType("PodScheduled")
                                                        .withStatus("True")
                                                        .build(),
                                                new PodConditionBuilder()
                                                        .withType("Ready")
                                                        .withStatus("True")
                                                        .build())
                                        .build());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            // The pod was deleted while starting, or the runner died: the controller sees what the API says.
        }
    }

    private void setStatus(String name, io.fabric8.kubernetes.api.model.PodStatus status) {
        try {
            client.pods().inNamespace(namespace).withName(name).editStatus(p -> new PodBuilder(p)
                    .withStatus(status)
                    .build());
        } catch (RuntimeException gone) {
            // Deleted meanwhile.
        }
    }

    @Override
    public void close() {
        closed = true;
        podWatch.close();
        jobWatch.close();
        runners.values().forEach(TestKubelet::killContainer);
        work.shutdownNow();
    }

    /**
     * What a kubelet does to a container: everything in it dies, the runner and whatever it started. The runners
     * here run without a sandbox, so killing only the JVM left its warm interpreter behind, reparented to init and
     * blocked on its FIFO for good: 148 of them had piled up on a machine after a day of test runs.
     */
    static void killContainer(Process process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }
}
