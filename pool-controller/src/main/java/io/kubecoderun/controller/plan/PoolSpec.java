package io.kubecoderun.controller.plan;

import java.time.Duration;

/**
 * What one language's pool should look like: {@code target} warm pods, at most {@code batch} creations per
 * plan, a pod that is not Ready after {@code notReadyGrace} is replaced (never piled up), and an idle pod older
 * than {@code maxAge} is rotated (null: never).
 */
public record PoolSpec(String language, int target, int batch, Duration notReadyGrace, Duration maxAge) {

    public PoolSpec {
        if (target < 0 || batch < 1) {
            throw new IllegalArgumentException("target must be >= 0 and batch >= 1");
        }
    }
}
