package io.kubecoderun.controller.plan;

import java.time.Instant;

/**
 * One sandbox pod as the controller's cache sees it. {@code leased}: handed to a request (it will be deleted
 * after its single use, so it no longer counts toward the warm pool). {@code unschedulable}: the scheduler said
 * so. {@code createdAt} is the pod's creation time.
 */
public record ObservedPod(
        String name, String uid, Phase phase, boolean leased, boolean unschedulable, Instant createdAt) {

    public enum Phase {
        /** Created, not yet Ready (pulling, scheduling, starting the runner). */
        STARTING,
        /** Ready, its runner answering. */
        READY,
        /** Deletion began (deletionTimestamp set). */
        TERMINATING,
        /** Failed or succeeded: its container is gone. */
        FAILED
    }
}
