package io.kubecoderun.controller.platform;

import io.kubecoderun.registry.Subscription;
import java.util.List;

/**
 * How a sandbox pod comes to exist: Kubernetes pods and Jobs (fabric8), or runner processes on loopback (the
 * embedded default and the tests). The controller only observes, creates and deletes; it never waits on a
 * platform call for a pod to become ready.
 */
public interface Platform extends AutoCloseable {

    String name();

    /** The pods of {@code language} as the platform's cache sees them now (may lag behind creates and deletes). */
    List<SandboxPod> pods(String language);

    /**
     * Starts creating a pod and returns its name at once. With a {@code requestId} the pod serves that Job
     * request and is named after it, so a replayed request cannot start a twin.
     */
    String create(String language, String requestId) throws PlatformException;

    /** Starts deleting the pod, only if it still has this uid. */
    void delete(SandboxPod pod) throws PlatformException;

    /**
     * True when a starting pod takes its CPU from the same few cores that run executions (runner processes on
     * one machine): a replacement started at lease time would slow the very execution that leased its
     * predecessor, so the controller lets it wait for that execution while the pool has idle pods. False on a
     * cluster, where the scheduler places pods and a replacement should start as early as possible.
     */
    default boolean sharesCoresWithExecutions() {
        return false;
    }

    /**
     * Calls {@code listener} when a pod may have become ready, failed or gone, so the controller offers or
     * replaces it at once rather than at its next periodic pass. Best effort; closing stops the calls.
     */
    Subscription onPodsChanged(Runnable listener);

    @Override
    void close();

    /** A platform call failed; {@code transientFailure} asks the controller to back off (403, 429, 5xx). */
    final class PlatformException extends Exception {
        private final boolean transientFailure;

        public PlatformException(String message, boolean transientFailure, Throwable cause) {
            super(message, cause);
            this.transientFailure = transientFailure;
        }

        public boolean transientFailure() {
            return transientFailure;
        }
    }
}
