package io.kubecoderun.exec.service;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.runner.wire.RunnerClient;
import java.util.logging.Logger;

/**
 * Stops one execution when its caller goes away (the HTTP connection closed, or a cancel request): the runner it
 * was leased is told to stop the program at once, so its pending call answers and the lease is released on the
 * usual path — within a second, not at the execution's timeout. Cancelling before a runner is leased stops the
 * execution at its next step.
 */
public final class Cancellation {
    private static final Logger LOG = Logger.getLogger(Cancellation.class.getName());

    private RunnerClient runners;
    private RunnerClient.Target target;
    private boolean cancelled;
    private String reason;

    public static Cancellation none() {
        return new Cancellation();
    }

    /** The runner this execution now runs on; if it was cancelled already, that runner is stopped now. */
    synchronized void attach(RunnerClient client, RunnerClient.Target leased) {
        runners = client;
        target = leased;
        if (cancelled) {
            stop(client, leased);
        }
    }

    /** Cancels: stops the runner if there is one yet. Idempotent; may be called from any thread. */
    public void cancel(String why) {
        RunnerClient client;
        RunnerClient.Target leased;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            reason = why;
            client = runners;
            leased = target;
        }
        if (leased != null) {
            stop(client, leased);
        }
    }

    public synchronized boolean cancelled() {
        return cancelled;
    }

    /** An API error naming why, when cancelled (the caller is usually gone; a cancel request's flow sees it). */
    void throwIfCancelled() {
        String why;
        synchronized (this) {
            if (!cancelled) {
                return;
            }
            why = reason;
        }
        throw new ApiException.Conflict(ErrorType.CANCELLED, "the execution was cancelled: " + why);
    }

    private static void stop(RunnerClient client, RunnerClient.Target leased) {
        try {
            client.cancel(leased);
        } catch (RuntimeException e) {
            // The runner is gone or answered an error: the lease's release (or expiry) ends it either way.
            LOG.info("event=cancel_not_delivered pod=" + leased.host() + " error=" + e.getMessage());
        }
    }
}
