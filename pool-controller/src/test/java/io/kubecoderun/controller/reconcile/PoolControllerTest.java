package io.kubecoderun.controller.reconcile;

import io.kubecoderun.runner.wire.RunnerClient;

import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.PodRef;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A controller's subscriptions live as long as it does. The failure this pins: a controller that lost leadership
 * (or an app that stopped) kept its registry and platform listeners, so every later lease woke a closed loop,
 * which threw, and each leadership term leaked a Redis subscription.
 */
class PoolControllerTest {

    @Test
    void closingUnsubscribesAndALateEventIsIgnored() {
        PoolReconcilerRefillTest.RecordingPlatform platform = new PoolReconcilerRefillTest.RecordingPlatform(true);
        InMemoryLeaseRegistry registry = new InMemoryLeaseRegistry();
        ReconcilerSettings settings = ReconcilerSettings.defaults("t").withInterval(Duration.ofMinutes(10));
        PoolController controller = new PoolController(new PoolReconciler(platform, registry, new RunnerClient(),
                List.of(new PoolSpec("py", 0, 1, Duration.ofMinutes(2), null)), settings, Clock.systemUTC(),
                new PoolMetrics()));
        controller.start(settings);
        assertEquals(1, platform.subscribed.get());
        controller.close();
        assertEquals(0, platform.subscribed.get(), "the platform subscription is closed with the controller");
        assertDoesNotThrow(controller::wake, "a late event for a closed controller");
        registry.offer(new PodRef("py", "kcr-py-1", "uid-1", "127.0.0.1", 1), 1);
        assertDoesNotThrow(() -> registry.acquire("py", Duration.ofMinutes(1), Duration.ZERO),
                "a lease after the close must not reach the closed controller's loop");
    }
}
