package io.kubecoderun.controller.reconcile;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the reconciler on one thread: every {@code interval}, and at once when a lease is announced (the
 * replacement starts at lease time). A failing pass (Redis or the API server down) is logged and retried on the
 * next tick; it never stops the loop.
 */
public final class PoolController implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PoolController.class.getName());

    private final PoolReconciler reconciler;
    private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().daemon().name("kcr-pool-controller").unstarted(r));
    private final AtomicBoolean wakePending = new AtomicBoolean();

    public PoolController(PoolReconciler reconciler) {
        this.reconciler = reconciler;
    }

    public void start(ReconcilerSettings settings) {
        loop.scheduleWithFixedDelay(this::pass, 0, settings.interval().toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Asks for a pass now (coalesced with one already pending). */
    public void wake() {
        if (wakePending.compareAndSet(false, true)) {
            loop.execute(() -> {
                wakePending.set(false);
                pass();
            });
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
        loop.shutdownNow();
        try {
            loop.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
