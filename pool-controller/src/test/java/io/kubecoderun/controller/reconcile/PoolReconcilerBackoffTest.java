package io.kubecoderun.controller.reconcile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.controller.testing.TestClock;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.runner.wire.RunnerClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Back-off after the API server refuses: the failure this pins is a controller that retries a 429 on every pass
 * and so keeps an overloaded API server overloaded. The platform here answers as an API server would (no real one
 * can run on this machine); everything else is real.
 */
class PoolReconcilerBackoffTest {

    static final class RefusingPlatform implements Platform {
        int attempts;
        boolean transientFailure = true;
        final List<String> created = new ArrayList<>();

        @Override
        public String name() {
            return "refusing";
        }

        @Override
        public List<SandboxPod> pods(String language) {
            return List.of();
        }

        @Override
        public String create(String language, String requestId) throws PlatformException {
            attempts++;
            if (attempts <= 1) {
                throw new PlatformException("HTTP 429 Too Many Requests", transientFailure, null);
            }
            String name = "kcr-" + language + "-" + attempts;
            created.add(name);
            return name;
        }

        @Override
        public void delete(SandboxPod pod) {}

        @Override
        public io.kubecoderun.registry.Subscription onPodsChanged(Runnable listener) {
            return () -> {}; // the test runs every pass itself
        }

        @Override
        public void close() {}
    }

    @Test
    void aRefusedCreationPausesCreationsForTheBackoffThenResumes() {
        RefusingPlatform platform = new RefusingPlatform();
        TestClock clock = new TestClock(Instant.parse("2026-11-28T10:00:00Z"));
        ReconcilerSettings settings = ReconcilerSettings.defaults("t");
        PoolReconciler reconciler = new PoolReconciler(
                platform,
                new InMemoryLeaseRegistry(),
                new RunnerClient(),
                List.of(new PoolSpec("py", 2, 10, Duration.ofMinutes(2), null)),
                settings,
                clock,
                new PoolMetrics());
        reconciler.reconcileAll();
        assertEquals(1, platform.attempts, "the first refusal ends the pass");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            reconciler.reconcileAll();
        }
        assertEquals(1, platform.attempts, "no creation while backing off");
        clock.advance(settings.backoff());
        reconciler.reconcileAll();
        assertEquals(3, platform.attempts, "resumed after the back-off: both pods requested");
        assertEquals(2, platform.created.size());
    }

    @Test
    void aPermanentRefusalIsRetriedOnTheNextPassWithoutBackingOff() {
        RefusingPlatform platform = new RefusingPlatform();
        platform.transientFailure = false;
        TestClock clock = new TestClock(Instant.parse("2026-11-28T10:00:00Z"));
        PoolReconciler reconciler = new PoolReconciler(
                platform,
                new InMemoryLeaseRegistry(),
                new RunnerClient(),
                List.of(new PoolSpec("py", 1, 10, Duration.ofMinutes(2), null)),
                ReconcilerSettings.defaults("t"),
                clock,
                new PoolMetrics());
        reconciler.reconcileAll();
        clock.advance(Duration.ofSeconds(1));
        reconciler.reconcileAll();
        assertEquals(2, platform.attempts, "a 4xx other than 403/429 is not a reason to back off");
    }

    /**
     * Jobs are creations too. The failure this pins: Job requests were created on every pass whatever the
     * back-off, so a refused Job was followed at once by the next one, and a request whose creation failed waited
     * for the registry's redelivery (30 s) instead of the next pass after the back-off.
     */
    @Test
    void aRefusedJobPausesJobCreationForTheBackoffAndEveryRequestIsServedAfterIt() {
        RefusingPlatform platform = new RefusingPlatform();
        TestClock clock = new TestClock(Instant.parse("2026-11-28T10:00:00Z"));
        ReconcilerSettings settings = ReconcilerSettings.defaults("t");
        InMemoryLeaseRegistry registry = new InMemoryLeaseRegistry();
        List<Thread> waiters = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            waiters.add(Thread.ofVirtual()
                    .start(() -> registry.acquireViaJob("bash", Duration.ofMinutes(1), Duration.ofSeconds(20))));
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> registry.stats("bash").waiters() == 3);
        PoolReconciler reconciler = new PoolReconciler(
                platform,
                registry,
                new RunnerClient(),
                List.of(new PoolSpec("bash", 0, 10, Duration.ofMinutes(2), null)),
                settings,
                clock,
                new PoolMetrics());
        reconciler.reconcileAll();
        assertEquals(1, platform.attempts, "the refused Job ends the pass");
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofSeconds(1));
            reconciler.reconcileAll();
        }
        assertEquals(1, platform.attempts, "no Job while backing off");
        clock.advance(settings.backoff());
        reconciler.reconcileAll();
        assertEquals(4, platform.attempts, "after the back-off every request, the refused one included, gets a Job");
        assertEquals(3, platform.created.size());
        waiters.forEach(Thread::interrupt);
    }
}
