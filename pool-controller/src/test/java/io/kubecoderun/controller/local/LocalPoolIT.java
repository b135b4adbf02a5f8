package io.kubecoderun.controller.local;

import static io.kubecoderun.controller.testing.Leases.await;
import static io.kubecoderun.controller.testing.Leases.holdsFor;
import static io.kubecoderun.controller.testing.Leases.runOnLease;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.controller.testing.Leases;
import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.Lease;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.RedisLeaseRegistry;
import io.kubecoderun.registry.testing.RedisServer;
import io.kubecoderun.runner.wire.RunnerClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pool controller end to end on the local platform: real runner processes with the bubblewrap sandbox, the
 * in-memory registry (and real Redis where the scenario is about Redis), no mocks.
 */
@Timeout(180)
class LocalPoolIT {
    static final Duration TTL = Duration.ofMinutes(2);

    @TempDir
    Path temp;

    final List<AutoCloseable> closeables = new ArrayList<>();
    LocalPlatform platform;
    LeaseRegistry registry;
    PoolMetrics metrics;
    PoolController controller;
    /** Between periodic passes; a test sets it before starting. */
    Duration interval = Duration.ofMillis(200);

    @AfterEach
    void tearDown() throws Exception {
        for (int i = closeables.size() - 1; i >= 0; i--) {
            closeables.get(i).close();
        }
    }

    private void start(LeaseRegistry registry, PoolSpec... specs) {
        start(registry, true, specs);
    }

    private void start(LeaseRegistry registry, boolean warmup, PoolSpec... specs) {
        this.registry = registry;
        List<String> command = Leases.runnerCommand();
        platform = new LocalPlatform(
                temp.resolve("pods"), command, Map.of("RUNNER_SANDBOX", "bubblewrap"), Clock.systemUTC());
        closeables.add(platform);
        metrics = new PoolMetrics();
        // A deferral no test run outlasts: a replacement that starts during a lease started for a reason other
        // than the clock (nothing idle, or a bug).
        ReconcilerSettings settings =
                ReconcilerSettings.defaults("test").withInterval(interval).withRefillDeferral(Duration.ofSeconds(60));
        controller = new PoolController(new PoolReconciler(
                        platform, registry, new RunnerClient(), List.of(specs), settings, Clock.systemUTC(), metrics)
                .warmupOnStartup(warmup));
        closeables.add(controller);
        controller.start(settings);
    }

    private static PoolSpec spec(String language, int target) {
        return new PoolSpec(language, target, 10, Duration.ofSeconds(60), null);
    }

    private int podCount(String language) {
        return platform.counts().getOrDefault(language, 0);
    }

    @Test
    void thePoolFillsToTargetAndEveryLeaseIsReplacedAndItsPodDeletedAfterUse() throws Exception {
        start(new InMemoryLeaseRegistry(), spec("py", 2), spec("js", 1), spec("bash", 0));
        await(
                "the pools are warm",
                () -> registry.stats("py").idle() == 2 && registry.stats("js").idle() == 1);
        assertEquals(0, podCount("bash"));

        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        assertEquals(Acquisition.Outcome.HIT, got.outcome());
        assertEquals(
                "55\n",
                runOnLease(got.lease(), "py", "print(sum(range(1, 11)))").stdout());
        holdsFor(
                Duration.ofMillis(600),
                () -> assertEquals(
                        2,
                        podCount("py"), // for three passes
                        "runners share these cores: the replacement waits for the execution"));
        assertTrue(registry.release(got.lease()));
        await("the replacement starts as the execution ends", () -> metrics.podsCreated.get() == 4);
        await(
                "the used runner is deleted",
                () -> platform.process(got.lease().pod().name()).isEmpty());
        await("the pool is back to target", () -> registry.stats("py").idle() == 2 && podCount("py") == 2);
        assertEquals(4, metrics.podsCreated.get(), "2 + 1 at start, one replacement");
        assertEquals(Map.of("used", 1L), metrics.deletionsByReason());

        Acquisition first = registry.acquire("py", TTL, Duration.ZERO);
        Acquisition second = registry.acquire("py", TTL, Duration.ZERO);
        assertTrue(first.acquired() && second.acquired());
        await("with nothing idle the replacements start at lease time", () -> metrics.podsCreated.get() == 6);
        assertTrue(registry.release(first.lease()) && registry.release(second.lease()));
    }

    @Test
    void runnersReadyLeasesAndReleasesEachWakeTheControllerWithoutWaitingForItsPeriodicPass() throws Exception {
        interval = Duration.ofMinutes(10); // one pass at start, then only what the platform and the registry report
        start(new InMemoryLeaseRegistry(), spec("py", 1));
        await(
                "offered as soon as its runner is ready",
                () -> registry.stats("py").idle() == 1);
        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        await(
                "nothing idle: the replacement starts at lease time and is offered when ready",
                () -> metrics.podsCreated.get() == 2 && registry.stats("py").idle() == 1);
        assertEquals("ok\n", runOnLease(got.lease(), "py", "print('ok')").stdout());
        assertTrue(registry.release(got.lease()));
        await(
                "the used runner deleted at release",
                () -> platform.process(got.lease().pod().name()).isEmpty());
    }

    @Test
    void withoutWarmupAPoolStaysEmptyUntilItsLanguageIsFirstAskedFor() throws Exception {
        start(new InMemoryLeaseRegistry(), false, spec("py", 2));
        holdsFor(Duration.ofSeconds(1), () -> assertEquals(0, podCount("py"), "no warm pods before the first request"));
        assertFalse(registry.acquire("py", TTL, Duration.ZERO).acquired());
        await("warm after the first request", () -> registry.stats("py").idle() == 2);
    }

    @Test
    void aMassKillIsRefilledWithoutCreatingMoreThanWasKilled() throws Exception {
        start(new InMemoryLeaseRegistry(), spec("py", 3));
        await("warm", () -> registry.stats("py").idle() == 3);
        long before = metrics.podsCreated.get();
        for (var pod : platform.pods("py")) {
            platform.process(pod.name()).orElseThrow().destroyForcibly(); // a node dies
        }
        await(
                "refilled",
                () -> metrics.podsCreated.get() - before >= 3
                        && registry.stats("py").idle() == 3
                        && podCount("py") == 3);
        holdsFor(
                Duration.ofSeconds(1), // a few more passes must not create anything
                () -> assertEquals(3, metrics.podsCreated.get() - before, "creates after the kill"));
        Acquisition got = registry.acquire("py", TTL, Duration.ZERO);
        assertEquals(
                "ok\n",
                runOnLease(got.lease(), "py", "print('ok')").stdout(),
                "the registry must not hand out a dead runner");
    }

    @Test
    void aLeaseWhoseHolderDiedIsReapedAndItsPodDeleted() throws Exception {
        start(new InMemoryLeaseRegistry(), spec("py", 1));
        await("warm", () -> registry.stats("py").idle() == 1);
        Lease lease =
                registry.acquire("py", Duration.ofMillis(800), Duration.ZERO).lease();
        runOnLease(lease, "py", "print(1)"); // then the function dies without releasing
        await(
                "the expired lease's pod is deleted",
                () -> platform.process(lease.pod().name()).isEmpty());
        assertEquals(1, metrics.leaseExpiries.get());
        await("replaced", () -> registry.stats("py").idle() == 1);
    }

    @Test
    void aColdLanguageRunsThroughAJobPodMadeForTheRequest() throws Exception {
        start(new InMemoryLeaseRegistry(), spec("py", 1), spec("bash", 0));
        await("warm", () -> registry.stats("py").idle() == 1);
        Acquisition got = registry.acquireViaJob("bash", TTL, Duration.ofSeconds(60));
        assertEquals(Acquisition.Outcome.WAIT_HIT, got.outcome());
        assertTrue(got.lease().pod().name().startsWith("kcr-job-"));
        assertEquals("cold\n", runOnLease(got.lease(), "bash", "echo cold").stdout());
        registry.release(got.lease());
        await("the Job's pod is deleted after use", () -> podCount("bash") == 0);
        assertEquals(1, metrics.coldStarts.get());
        assertEquals(0, registry.stats("bash").idle());
    }

    @Test
    void aRedisThatLostItsDataIsRebuiltFromTheRunningPodsWithoutNewOnes() throws Exception {
        RedisServer server = RedisServer.start();
        closeables.add(server);
        Vertx vertx = Vertx.vertx();
        closeables.add(
                () -> vertx.close().toCompletionStage().toCompletableFuture().get());
        Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri()));
        closeables.add(redis::close);
        RedisLeaseRegistry redisRegistry = new RedisLeaseRegistry(redis, "it:");
        closeables.add(redisRegistry);
        start(redisRegistry, spec("py", 2));
        await("warm", () -> registry.stats("py").idle() == 2);
        long created = metrics.podsCreated.get();
        server.restartEmpty();
        await("rebuilt", () -> {
            try {
                return registry.initialized() && registry.stats("py").idle() == 2;
            } catch (RuntimeException reconnecting) {
                return false;
            }
        });
        assertEquals(created, metrics.podsCreated.get(), "the running pods were offered again, none created");
        assertEquals(1, metrics.registryRepairs.get());
        assertFalse(registry.acquire("py", TTL, Duration.ZERO).lease() == null);
    }
}
