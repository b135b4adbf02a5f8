package io.kubecoderun.controller.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.controller.testing.TestClock;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.Lease;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.runner.wire.RunnerClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * When a replacement starts. Where pods share the cores that run executions, starting one at lease time slows the
 * execution that leased its predecessor (a runner JVM start takes 300-400 ms of CPU on the same two cores), so it
 * waits for that execution while another pod is idle, for at most the deferral. Everywhere else, and whenever the
 * pool has nothing idle, the replacement starts at lease time. The platform only records creations (the pods'
 * runners are not what this is about; LocalPoolIT runs real ones); the registry and the reconciler are real.
 */
class PoolReconcilerRefillTest {
    static final Duration TTL = Duration.ofMinutes(5);

    static final class RecordingPlatform implements Platform {
        final boolean sharesCores;
        final Map<String, SandboxPod> pods = new LinkedHashMap<>();
        final List<String> created = new ArrayList<>();
        /** Subscriptions to pod changes still open. */
        final java.util.concurrent.atomic.AtomicInteger subscribed = new java.util.concurrent.atomic.AtomicInteger();
        /** Calls to {@link #pods}: one per language in every reconcile pass. */
        final java.util.concurrent.atomic.AtomicInteger listings = new java.util.concurrent.atomic.AtomicInteger();

        RecordingPlatform(boolean sharesCores) {
            this.sharesCores = sharesCores;
        }

        @Override
        public String name() {
            return "recording";
        }

        @Override
        public boolean sharesCoresWithExecutions() {
            return sharesCores;
        }

        @Override
        public List<SandboxPod> pods(String language) {
            listings.incrementAndGet();
            return List.copyOf(pods.values());
        }

        @Override
        public String create(String language, String requestId) {
            String name = "kcr-" + language + "-" + (created.size() + 1);
            created.add(name);
            // Ready without an address: the test offers it, as the reconciler would after asking its runner.
            pods.put(
                    name,
                    new SandboxPod(
                            language,
                            name,
                            "uid-" + name,
                            ObservedPod.Phase.READY,
                            false,
                            Instant.EPOCH,
                            null,
                            0,
                            null));
            return name;
        }

        @Override
        public void delete(SandboxPod pod) {
            pods.remove(pod.name());
        }

        @Override
        public io.kubecoderun.registry.Subscription onPodsChanged(Runnable listener) {
            subscribed.incrementAndGet(); // never calls: these tests run every pass themselves
            return subscribed::decrementAndGet;
        }

        @Override
        public void close() {}
    }

    final TestClock clock = new TestClock(Instant.parse("2026-11-28T10:00:00Z"));
    InMemoryLeaseRegistry registry;
    RecordingPlatform platform;
    PoolReconciler reconciler;

    private void start(boolean sharesCores, Duration deferral, int target) {
        platform = new RecordingPlatform(sharesCores);
        registry = new InMemoryLeaseRegistry();
        reconciler = new PoolReconciler(
                platform,
                registry,
                new RunnerClient(),
                List.of(new PoolSpec("py", target, 10, Duration.ofMinutes(2), null)),
                ReconcilerSettings.defaults("t").withRefillDeferral(deferral),
                clock,
                new PoolMetrics());
        pass();
        assertEquals(target, platform.created.size(), "the pool is filled at start");
    }

    /** One pass, then every new pod offered (epoch 1: the reconciler's, taken from the fresh registry). */
    private void pass() {
        reconciler.reconcileAll();
        for (String name : platform.created) {
            if (platform.pods.containsKey(name) && !registry.podStates("py").containsKey(name)) {
                registry.offer(new PodRef("py", name, "uid-" + name, "127.0.0.1", 1), 1);
            }
        }
    }

    private Lease lease() {
        var got = registry.acquire("py", TTL, Duration.ZERO);
        assertTrue(got.acquired());
        return got.lease();
    }

    @Test
    void sharingCoresTheReplacementWaitsForTheRunningExecutionAndStartsAtItsRelease() {
        start(true, Duration.ofSeconds(2), 2);
        Lease lease = lease();
        pass();
        clock.advance(Duration.ofMillis(1_500));
        pass();
        assertEquals(2, platform.created.size(), "no replacement while the execution runs and a pod is idle");
        assertTrue(registry.release(lease));
        pass();
        assertEquals(3, platform.created.size(), "the replacement starts once the execution has ended");
        assertEquals(2, platform.pods.size(), "and the used pod is deleted");
    }

    @Test
    void theDeferralIsBoundedForALongExecution() {
        start(true, Duration.ofSeconds(2), 2);
        lease();
        pass();
        clock.advance(Duration.ofMillis(1_999));
        pass();
        assertEquals(2, platform.created.size());
        clock.advance(Duration.ofMillis(1));
        pass();
        assertEquals(3, platform.created.size(), "started after the deferral although the execution still runs");
        lease(); // the next execution while the first still runs: the wait does not start over
        pass();
        assertEquals(4, platform.created.size());
    }

    @Test
    void withNothingIdleTheReplacementsStartAtLeaseTime() {
        start(true, Duration.ofSeconds(2), 2);
        lease();
        lease();
        pass();
        assertEquals(4, platform.created.size(), "the next request would wait for a start: no reason to defer");
    }

    @Test
    void onACluster_orWithTheDeferralOff_theReplacementStartsAtLeaseTime() {
        start(false, Duration.ofSeconds(2), 2);
        lease();
        pass();
        assertEquals(3, platform.created.size(), "pods that do not share the executions' cores");

        start(true, Duration.ZERO, 2);
        lease();
        pass();
        assertEquals(3, platform.created.size(), "POD_POOL_REFILL_DEFERRAL_MS=0");
    }
}
