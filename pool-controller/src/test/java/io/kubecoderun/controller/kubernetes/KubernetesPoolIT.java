package io.kubecoderun.controller.kubernetes;

import static io.kubecoderun.controller.testing.Leases.await;
import static io.kubecoderun.controller.testing.Leases.holdsFor;
import static io.kubecoderun.controller.testing.Leases.runOnLease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.controller.testing.Leases;
import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.Lease;
import io.kubecoderun.registry.RedisLeaseRegistry;
import io.kubecoderun.registry.testing.RedisServer;
import io.kubecoderun.runner.wire.RunnerClient;
import io.vertx.redis.client.Redis;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The controller's Kubernetes path, unmodified, against the fabric8 mock API server in CRUD mode, real Redis,
 * and {@link TestKubelet} turning pods into real runner processes on loopback addresses.
 */
@EnableKubernetesMockClient(crud = true)
@Timeout(180)
class KubernetesPoolIT {
    static final String NAMESPACE = "sandboxes";
    static final Duration TTL = Duration.ofMinutes(2);
    static final AtomicInteger PREFIXES = new AtomicInteger();
    static KubernetesClient client;
    static io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;
    /** The controller's own client: what it sends is checked against its Role ({@link ApiRequests}). */
    static KubernetesClient controllerClient;
    /** {@code group/resource verb} of every request the controller sent, across the class. */
    static final java.util.Set<String> CONTROLLER_USES = new java.util.TreeSet<>();

    static RedisServer redisServer;
    static Redis redis;

    @TempDir
    Path temp;

    final List<AutoCloseable> closeables = new ArrayList<>();
    TestKubelet kubelet;
    RedisLeaseRegistry registry;
    PoolMetrics metrics;
    PoolController controller;
    KubernetesPlatform platform;

    @BeforeAll
    static void startRedis() throws Exception {
        redisServer = RedisServer.start();
        redis = redisServer.client();
        controllerClient = ApiRequests.controllerClient(client);
    }

    @AfterAll
    static void stopRedis() throws Exception {
        redisServer.close();
        controllerClient.close();
    }

    /**
     * RBAC conformance: every request the controller sent during these tests is granted by the Role that
     * {@code knative/} ships, and the Role grants nothing the controller never used. The failure this pins: the
     * controller renews its leader Lease with a PATCH (fabric8's LeaseLock), the Role granted get, create and
     * update only, so on a cluster the first leader could never renew and stepped down after ten seconds; the
     * mock server enforces no RBAC, so nothing saw it.
     */
    @AfterAll
    static void theRoleGrantsExactlyWhatTheControllerUses() throws Exception {
        java.util.Set<String> granted = ApiRequests.granted(
                client, Path.of(System.getProperty("kcr.root", "..")).resolve("knative/base/pool-controller.yaml"));
        java.util.Set<String> missing = new java.util.TreeSet<>(CONTROLLER_USES);
        missing.removeAll(granted);
        java.util.Set<String> unused = new java.util.TreeSet<>(granted);
        unused.removeAll(CONTROLLER_USES);
        assertEquals(java.util.Set.of(), missing, "used by the controller but not granted by its Role");
        assertEquals(java.util.Set.of(), unused, "granted by the Role but never used (used: " + CONTROLLER_USES + ")");
    }

    @BeforeEach
    void setUp() {
        client.pods().inNamespace(NAMESPACE).delete();
        client.batch().v1().jobs().inNamespace(NAMESPACE).delete();
        kubelet = new TestKubelet(client, NAMESPACE, temp.resolve("kubelet"), Leases.runnerCommand());
        closeables.add(kubelet);
        registry = new RedisLeaseRegistry(redis, "k8s" + PREFIXES.incrementAndGet() + ":");
        closeables.add(registry);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
        requestsSinceLastCall(); // the controller's requests, for the Role check
        Path pods = temp.resolve("kubelet").toAbsolutePath();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertEquals(
                        List.of(),
                        ProcessHandle.allProcesses()
                                .filter(p -> p.info().commandLine().orElse("").contains(pods.toString()))
                                .map(p -> p.pid() + " " + p.info().commandLine().orElse(""))
                                .toList(),
                        "nothing a pod started outlives it (its runner, the runner's warm interpreter)"));
    }

    static SandboxPodSettings settings() {
        return new SandboxPodSettings(
                NAMESPACE,
                Map.of("py", "kubecoderun/python:test", "bash", "kubecoderun/bash:test"),
                List.of(),
                "1",
                "512Mi",
                "100m",
                "128Mi",
                null,
                Map.of(),
                List.of(),
                "1Gi",
                "256Mi",
                Duration.ofHours(1),
                Duration.ofMinutes(10),
                Duration.ofMinutes(1));
    }

    /** Between periodic passes; a test sets it before starting. */
    Duration interval = Duration.ofMillis(200);

    private PoolController startController(PoolSpec... specs) {
        platform = new KubernetesPlatform(controllerClient, settings(), Clock.systemUTC());
        closeables.add(platform);
        metrics = new PoolMetrics();
        ReconcilerSettings settings =
                ReconcilerSettings.defaults("it-" + PREFIXES.get()).withInterval(interval);
        PoolController started = new PoolController(new PoolReconciler(
                platform, registry, new RunnerClient(), List.of(specs), settings, Clock.systemUTC(), metrics));
        closeables.add(started);
        started.start(settings);
        controller = started;
        return started;
    }

    static PoolSpec spec(String language, int target, Duration notReadyGrace) {
        return new PoolSpec(language, target, 10, notReadyGrace, null);
    }

    private int pods(String language) {
        return (int) client.pods()
                .inNamespace(NAMESPACE)
                .withLabel(SandboxPods.LABEL_LANGUAGE, language)
                .list()
                .getItems()
                .size();
    }

    @Test
    void thePoolFillsWithHardenedPodsAndEachLeaseStartsItsReplacement() throws Exception {
        startController(spec("py", 2, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 2);
        Pod pod = client.pods()
                .inNamespace(NAMESPACE)
                .withLabel(SandboxPods.LABEL_LANGUAGE, "py")
                .list()
                .getItems()
                .get(0);
        assertEquals(false, pod.getSpec().getAutomountServiceAccountToken());
        assertEquals(true, pod.getSpec().getSecurityContext().getRunAsNonRoot());
        assertEquals(
                true, pod.getSpec().getContainers().get(0).getSecurityContext().getReadOnlyRootFilesystem());

        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        await("replacement created at lease time", () -> pods("py") == 3);
        assertEquals(
                "55\n", runOnLease(got.lease(), "py", "print(sum(range(11)))").stdout());
        registry.release(got.lease());
        await(
                "used pod deleted, pool at target",
                () -> pods("py") == 2 && registry.stats("py").idle() == 2);
        assertEquals(3, kubelet.podsSeen.get(), "two at start and one replacement");
    }

    @Test
    void podsTurningReadyLeasesAndReleasesEachWakeTheControllerWithoutWaitingForItsPeriodicPass() throws Exception {
        interval = Duration.ofMinutes(10); // one pass at start, then only the pod watch and Redis pub/sub
        startController(spec("py", 2, Duration.ofMinutes(1)));
        await(
                "offered as soon as the watch shows them ready",
                () -> registry.stats("py").idle() == 2);
        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        await(
                "replacement created at lease time, offered when ready",
                () -> pods("py") == 3 && registry.stats("py").idle() == 2);
        assertEquals("ok\n", runOnLease(got.lease(), "py", "print('ok')").stdout());
        assertTrue(registry.release(got.lease()));
        await("the used pod deleted at release", () -> pods("py") == 2);
    }

    @Test
    void allWarmPodsKilledAtOnceAreRefilledWithoutOverCreation() throws Exception {
        startController(spec("py", 3, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 3);
        for (Pod pod : client.pods().inNamespace(NAMESPACE).list().getItems()) {
            kubelet.kill(pod.getMetadata().getName());
        }
        await(
                "refilled",
                () -> kubelet.podsSeen.get() >= 6
                        && kubelet.runningRunners() == 3
                        && registry.stats("py").idle() == 3
                        && pods("py") == 3);
        holdsFor(
                Duration.ofSeconds(1),
                () -> assertEquals(6, kubelet.podsSeen.get(), "exactly one new pod per killed pod"));
        assertEquals(Map.of("failed", 3L), metrics.deletionsByReason());
        Lease lease = registry.acquire("py", TTL, Duration.ZERO).lease();
        assertEquals("ok\n", runOnLease(lease, "py", "print('ok')").stdout(), "no dead runner handed out");
    }

    @Test
    void neverReadyPodsDoNotPileUp() throws Exception {
        kubelet.neverReady("py");
        startController(spec("py", 2, Duration.ofMillis(800)));
        holdsFor(
                Duration.ofSeconds(4),
                () -> assertTrue(
                        kubelet.maxConcurrentPods.get() <= 2, // five grace periods
                        "pods at once: " + kubelet.maxConcurrentPods.get()));
        assertTrue(
                metrics.deletionsByReason().getOrDefault("never_ready", 0L) >= 2,
                metrics.deletionsByReason().toString());
        kubelet.heal("py");
        await("healthy pods once the cause is gone", () -> registry.stats("py").idle() == 2);
    }

    @Test
    void unschedulablePodsAreHeldThenReplacedWithoutPilingUp() throws Exception {
        kubelet.makeUnschedulable("py");
        startController(spec("py", 1, Duration.ofMillis(800)));
        holdsFor(
                Duration.ofSeconds(3),
                () -> assertTrue(
                        kubelet.maxConcurrentPods.get() <= 1, "pods at once: " + kubelet.maxConcurrentPods.get()));
        assertTrue(
                metrics.deletionsByReason().getOrDefault("unschedulable", 0L) >= 1,
                metrics.deletionsByReason().toString());
    }

    @Test
    void aRestartedControllerAdoptsTheExistingPodsAndLeaksNone() throws Exception {
        PoolController first = startController(spec("py", 2, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 2);
        first.close();
        platform.close();
        int seen = kubelet.podsSeen.get();
        startController(spec("py", 2, Duration.ofMinutes(1)));
        holdsFor(
                Duration.ofMillis(1_500),
                () -> assertEquals(seen, kubelet.podsSeen.get(), "the new controller created nothing"));
        assertEquals(2, pods("py"));
        Lease lease = registry.acquire("py", TTL, Duration.ZERO).lease();
        assertEquals("1\n", runOnLease(lease, "py", "print(1)").stdout());
    }

    @Test
    void anEvictedIdlePodIsForgottenByTheRegistryAndReplaced() throws Exception {
        startController(spec("py", 2, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 2);
        String evicted = client.pods()
                .inNamespace(NAMESPACE)
                .list()
                .getItems()
                .get(0)
                .getMetadata()
                .getName();
        kubelet.evict(evicted);
        await(
                "replaced",
                () -> kubelet.podsSeen.get() == 3 && registry.stats("py").idle() == 2);
        assertTrue(
                registry.podStates("py").keySet().stream().noneMatch(evicted::equals),
                "the evicted pod must never be handed out");
        for (int i = 0; i < 2; i++) {
            Lease lease = registry.acquire("py", TTL, Duration.ZERO).lease();
            assertEquals("ok\n", runOnLease(lease, "py", "print('ok')").stdout());
        }
    }

    @Test
    void aFunctionThatDiesHoldingALeaseIsReapedAndItsPodDeleted() throws Exception {
        startController(spec("py", 1, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 1);
        Lease lease =
                registry.acquire("py", Duration.ofMillis(700), Duration.ZERO).lease();
        await(
                "the expired lease's pod is deleted",
                () -> client.pods()
                                .inNamespace(NAMESPACE)
                                .withName(lease.pod().name())
                                .get()
                        == null);
        assertEquals(1, metrics.leaseExpiries.get());
        await("replaced", () -> registry.stats("py").idle() == 1);
    }

    /** What the API server was asked since the last call: {@code METHOD path}, oldest first. */
    static List<String> requestsSinceLastCall() throws InterruptedException {
        return ApiRequests.drain(server, CONTROLLER_USES);
    }

    @Test
    void aColdLanguageRunsEndToEndThroughAJob() throws Exception {
        requestsSinceLastCall();
        startController(spec("py", 1, Duration.ofMinutes(1)), spec("bash", 0, Duration.ofMinutes(1)));
        Acquisition got = registry.acquireViaJob("bash", TTL, Duration.ofSeconds(60));
        assertEquals(Acquisition.Outcome.WAIT_HIT, got.outcome());
        assertEquals(
                1,
                client.batch()
                        .v1()
                        .jobs()
                        .inNamespace(NAMESPACE)
                        .list()
                        .getItems()
                        .size());
        var job = client.batch()
                .v1()
                .jobs()
                .inNamespace(NAMESPACE)
                .list()
                .getItems()
                .get(0);
        assertEquals(0, job.getSpec().getBackoffLimit());
        assertTrue(job.getSpec().getActiveDeadlineSeconds() > 0);
        assertEquals("cold\n", runOnLease(got.lease(), "bash", "echo cold").stdout());
        registry.release(got.lease());
        await(
                "the Job and its pod are deleted after use",
                () -> pods("bash") == 0
                        && client.batch()
                                .v1()
                                .jobs()
                                .inNamespace(NAMESPACE)
                                .list()
                                .getItems()
                                .isEmpty());
        assertEquals(1, metrics.coldStarts.get());
        // The failure this pins: the used Job was deleted with a DELETE of the Job collection by label, which
        // needs deletecollection; the controller's Role grants delete only, so on a cluster it was a 403 and the
        // pod's delete behind it was skipped. Jobs are deleted by name.
        List<String> jobDeletes = requestsSinceLastCall().stream()
                .filter(r -> r.startsWith("DELETE /apis/batch/v1/namespaces/" + NAMESPACE + "/jobs"))
                .toList();
        assertEquals(1, jobDeletes.size(), jobDeletes.toString());
        assertTrue(
                jobDeletes.get(0).startsWith("DELETE /apis/batch/v1/namespaces/" + NAMESPACE + "/jobs/kcr-job-"),
                "deleted by name, not as a collection: " + jobDeletes);
    }

    @Test
    void aLeasedPodKilledMidRunFailsTheCallerClearlyAndLeaksNothing() throws Exception {
        startController(spec("py", 1, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 1);
        Lease lease = registry.acquire("py", TTL, Duration.ZERO).lease();
        CompletableFuture<String> call = CompletableFuture.supplyAsync(() -> {
            try {
                runOnLease(lease, "py", "import time\ntime.sleep(30)");
                return "answered";
            } catch (RunnerClient.RunnerUnreachableException e) {
                return "failed: " + e.getClass().getSimpleName();
            } catch (RuntimeException | AssertionError e) {
                return "failed: " + e;
            }
        });
        Thread.sleep(1_500); // the execution gets under way; nothing here can observe it, so time it is
        kubelet.kill(lease.pod().name());
        String outcome = call.get();
        assertEquals("failed: RunnerUnreachableException", outcome, "the runner was lost, not refused");
        registry.release(lease); // what the exec function does when its runner is lost
        await(
                "nothing leaked",
                () -> registry.stats("py").leased() == 0
                        && registry.stats("py").done() == 0
                        && registry.stats("py").idle() == 1
                        && pods("py") == 1);
    }

    @Test
    void ofTwoControllersOnlyTheLeaderActsAndTheOtherTakesOverWhenItGoes() throws Exception {
        LeaderElectedController.Timings fast = new LeaderElectedController.Timings(
                Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
        List<LeaderElectedController> replicas = new ArrayList<>();
        for (String identity : List.of("replica-a", "replica-b")) {
            LeaderElectedController replica = replica(controllerClient, identity, fast);
            replicas.add(replica);
            replica.start();
        }
        await("a leader is elected", () -> replicas.stream().anyMatch(LeaderElectedController::leading));
        await("warm", () -> registry.stats("py").idle() == 2);
        holdsFor(Duration.ofSeconds(2), () -> {
            assertEquals(
                    1,
                    replicas.stream().filter(LeaderElectedController::leading).count(),
                    "exactly one leader");
            assertEquals(2, kubelet.podsSeen.get(), "no pods from the follower");
        });

        LeaderElectedController first = replicas.stream()
                .filter(LeaderElectedController::leading)
                .findFirst()
                .orElseThrow();
        LeaderElectedController second = replicas.get(replicas.get(0) == first ? 1 : 0);
        first.close();
        await("the other replica takes over", second::leading);
        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        await("the new leader replaces the leased pod", () -> pods("py") == 3);
        assertEquals("1\n", runOnLease(got.lease(), "py", "print(1)").stdout());
    }

    /** A replica of the controller for the election tests: its own platform, its controller built per term. */
    private LeaderElectedController replica(
            KubernetesClient replicaClient, String identity, LeaderElectedController.Timings timings) {
        KubernetesPlatform replicaPlatform = new KubernetesPlatform(replicaClient, settings(), Clock.systemUTC());
        closeables.add(replicaPlatform);
        ReconcilerSettings reconcile = ReconcilerSettings.defaults(identity).withInterval(Duration.ofMillis(200));
        LeaderElectedController replica = new LeaderElectedController(
                replicaClient,
                NAMESPACE,
                identity,
                () -> {
                    PoolController c = new PoolController(new PoolReconciler(
                            replicaPlatform,
                            registry,
                            new RunnerClient(),
                            List.of(spec("py", 2, Duration.ofMinutes(1))),
                            reconcile,
                            Clock.systemUTC(),
                            new PoolMetrics()));
                    c.start(reconcile);
                    return c;
                },
                timings);
        closeables.add(replica);
        return replica;
    }

    /**
     * The failure this pins: fabric8's elector ends for good when a leader cannot renew, and the replica never ran
     * for the lease again (nor said so in its liveness). Here the API server refuses the leader's renewals: it steps
     * down, the other replica takes over and keeps the pool filled, and the first one — still electing, its liveness
     * up — leads again once the other goes.
     */
    @Test
    void aLeaderWhoseRenewalsAreRefusedStepsDownRunsAgainAndLeadsLater() throws Exception {
        LeaderElectedController.Timings fast = new LeaderElectedController.Timings(
                Duration.ofSeconds(2), Duration.ofMillis(1500), Duration.ofMillis(200));
        java.util.concurrent.atomic.AtomicBoolean refuseRenewals = new java.util.concurrent.atomic.AtomicBoolean();
        KubernetesClient refusable = ApiRequests.controllerClient(controllerClient, (method, uri) -> {
            // A write to the Lease while refusing goes to a namespace that does not exist: the API server says 404.
            if (refuseRenewals.get() && !method.equals("GET") && uri.getPath().contains("/leases/")) {
                return URI.create(uri.toString().replace("/namespaces/" + NAMESPACE + "/", "/namespaces/refused/"));
            }
            return uri;
        });
        closeables.add(refusable);
        LeaderElectedController first = replica(refusable, "replica-a", fast);
        first.start();
        await("the first replica leads", first::leading);
        LeaderElectedController second = replica(controllerClient, "replica-b", fast);
        second.start();
        await("warm", () -> registry.stats("py").idle() == 2);

        refuseRenewals.set(true);
        await("the other replica takes over", second::leading);
        // It notices at its renew deadline; the registry's epochs refuse a deposed leader's offers meanwhile.
        await("the first steps down", () -> !first.leading());
        await("the first runs for the lease again", () -> first.elections() >= 2 && first.electing());
        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        await("the new leader replaces the leased pod", () -> pods("py") == 3);
        assertEquals("1\n", runOnLease(got.lease(), "py", "print(1)").stdout());

        refuseRenewals.set(false);
        second.close();
        await("the first replica leads again", first::leading);
        assertTrue(first.electing(), "its liveness holds throughout");
        assertTrue(first.leaderChanges() >= 2, "elected again: " + first.leaderChanges());
    }

    @Test
    void aRedisRestartedEmptyIsRebuiltFromTheRunningPods() throws Exception {
        startController(spec("py", 2, Duration.ofMinutes(1)));
        await("warm", () -> registry.stats("py").idle() == 2);
        int seen = kubelet.podsSeen.get();
        redisServer.restartEmpty();
        await("rebuilt", () -> {
            try {
                return registry.initialized() && registry.stats("py").idle() == 2;
            } catch (RuntimeException reconnecting) {
                return false;
            }
        });
        assertEquals(seen, kubelet.podsSeen.get(), "rebuilt from the running pods, none created");
        assertEquals(1, metrics.registryRepairs.get());
    }
}
