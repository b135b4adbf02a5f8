package io.kubecoderun.controller.platform;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.registry.PodRef;
import java.time.Instant;

/**
 * A sandbox pod as a platform reports it: phase, address once it has one ({@code ip} null before), and
 * {@code requestId} when it was started for a Job request rather than for the warm pool.
 */
public record SandboxPod(
        String language,
        String name,
        String uid,
        ObservedPod.Phase phase,
        boolean unschedulable,
        Instant createdAt,
        String ip,
        int port,
        String requestId) {

    public boolean addressable() {
        return ip != null && port > 0;
    }

    public PodRef ref() {
        if (!addressable()) {
            throw new IllegalStateException(name + " has no address yet");
        }
        return new PodRef(language, name, uid, ip, port);
    }

    public ObservedPod observed(boolean leased) {
        return new ObservedPod(name, uid, phase, leased, unschedulable, createdAt);
    }
}
