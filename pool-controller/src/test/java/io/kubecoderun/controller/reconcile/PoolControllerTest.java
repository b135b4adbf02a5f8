package io.kubecoderun.controller.reconcile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.registry.Subscription;
import io.kubecoderun.runner.wire.RunnerClient;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * A controller's subscriptions live as long as it does. The failure this pins: a controller that lost leadership
 * (or an app that stopped) kept its registry and platform listeners, so every later lease woke a closed loop,
 * which threw, and each leadership term leaked a Redis subscription.
 */
class PoolControllerTest {
    private static final Duration SETTLE = Duration.ofMillis(500);

    /**
     * The in-memory registry as the controller sees it, counting the lease subscriptions still open and the events
     * they deliver. {@code wake()} swallows the rejection of a closed loop (by design), so neither a late event nor a
     * forgotten listener throws: only these counts tell a closed subscription from a leaked one.
     */
    static final class CountingLeaseListeners {
        final InMemoryLeaseRegistry registry = new InMemoryLeaseRegistry();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger delivered = new AtomicInteger();

        LeaseRegistry asSeenByTheController() {
            return (LeaseRegistry) Proxy.newProxyInstance(
                    LeaseRegistry.class.getClassLoader(),
                    new Class<?>[] {LeaseRegistry.class},
                    (proxy, method, args) -> {
                        if (method.getName().equals("onLeaseChange")) {
                            @SuppressWarnings("unchecked")
                            Consumer<String> listener = (Consumer<String>) args[0];
                            return subscribe(listener);
                        }
                        try {
                            return method.invoke(registry, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        private Subscription subscribe(Consumer<String> listener) {
            Subscription inner = registry.onLeaseChange(language -> {
                delivered.incrementAndGet();
                listener.accept(language);
            });
            open.incrementAndGet();
            AtomicBoolean closed = new AtomicBoolean();
            return () -> {
                if (closed.compareAndSet(false, true)) {
                    open.decrementAndGet();
                }
                inner.close();
            };
        }
    }

    @Test
    void closingUnsubscribesAndALateEventIsIgnored() {
        PoolReconcilerRefillTest.RecordingPlatform platform = new PoolReconcilerRefillTest.RecordingPlatform(true);
        CountingLeaseListeners leases = new CountingLeaseListeners();
        InMemoryLeaseRegistry registry = leases.registry;
        // No periodic pass within the test: after the one at start, only events wake the controller.
        ReconcilerSettings settings = ReconcilerSettings.defaults("t").withInterval(Duration.ofMinutes(10));
        PoolController controller = new PoolController(new PoolReconciler(
                platform,
                leases.asSeenByTheController(),
                new RunnerClient(),
                List.of(new PoolSpec("py", 0, 1, Duration.ofMinutes(2), null)),
                settings,
                Clock.systemUTC(),
                new PoolMetrics()));
        controller.start(settings);
        assertEquals(1, platform.subscribed.get());
        assertEquals(1, leases.open.get());
        await("the pass at start").atMost(Duration.ofSeconds(10)).until(() -> platform.listings.get() == 1);

        // While it runs, a lease reaches the controller and wakes a pass: what the close must stop.
        registry.offer(new PodRef("py", "kcr-py-1", "uid-1", "127.0.0.1", 1), 1);
        assertEquals(
                Acquisition.Outcome.HIT,
                registry.acquire("py", Duration.ofMinutes(1), Duration.ZERO).outcome());
        assertEquals(1, leases.delivered.get(), "the lease is announced to the running controller");
        await("the pass the lease woke").atMost(Duration.ofSeconds(10)).until(() -> platform.listings.get() == 2);

        controller.close();
        assertEquals(0, platform.subscribed.get(), "the platform subscription is closed with the controller");
        assertEquals(0, leases.open.get(), "the registry subscription is closed with the controller");

        controller.wake(); // a late event for a closed controller
        registry.offer(new PodRef("py", "kcr-py-2", "uid-2", "127.0.0.1", 2), 1);
        assertEquals(
                Acquisition.Outcome.HIT,
                registry.acquire("py", Duration.ofMinutes(1), Duration.ZERO).outcome());
        assertEquals(1, leases.delivered.get(), "a lease after the close must not reach the closed controller");
        await().during(SETTLE)
                .atMost(SETTLE.plus(Duration.ofSeconds(1)))
                .untilAsserted(() -> assertEquals(2, platform.listings.get(), "no pass after the close"));
    }
}
