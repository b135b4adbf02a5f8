package io.kubecoderun.controller.reconcile;

import io.kubecoderun.registry.Subscription;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the reconciler on one thread: every {@code interval}, and at once when a lease begins or ends or a pod
 * turns ready, fails or goes (the replacement starts at lease time, or as the execution ends where pods share its
 * cores; the used pod is deleted at release; a ready pod is offered at once). A failing pass (Redis or the API
 * server down) is logged and retried on the next tick; it never stops the loop.
 */
public final class PoolController implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PoolController.class.getName());

    private final PoolReconciler reconciler;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kcr-pool-controller").unstarted(r));
    private final AtomicBoolean wakePending = new AtomicBoolean();
    private volatile List<Subscription> subscriptions = List.of();

    public PoolController(PoolReconciler reconciler) {
        this.reconciler = reconciler;
    }

    /** Passes every {@code interval}, and whenever the registry or the platform reports a change. */
    public void start(ReconcilerSettings settings) {
        subscriptions = reconciler.subscribe(this::wake);
        loop.scheduleWithFixedDelay(this::pass, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a pass now (coalesced with one already pending); nothing once closed. */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            try {
                loop.execute(() -> {
                    wakePending.set(false);
                    pass();
                });
            } catch (RejectedExecutionException closed) {
                // A late event for a controller that has stopped (it lost leadership, or the app stops).
            }
        }
    }

    private void pass() {
        try {
            reconciler.reconcileAll();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event=reconcile_failed error=" + e.getMessage(), e);
        }
    }

    public PoolReconciler reconciler() {
        return reconciler;
    }

    @Override
    public void close() {
        subscriptions.forEach(Subscription::close);
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
