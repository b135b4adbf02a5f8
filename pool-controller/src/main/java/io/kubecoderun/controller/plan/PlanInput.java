package io.kubecoderun.controller.plan;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Everything a plan depends on: the spec, the pods in the cache, the creations issued but not yet seen by the
 * watch ({@code inFlightCreates}), the deletions issued but not yet seen ({@code inFlightDeletes}, by name), the
 * current time, the creation tokens the rate limiter grants now, and whether the API server asked us to back off.
 */
public record PlanInput(PoolSpec spec, List<ObservedPod> pods, int inFlightCreates, Set<String> inFlightDeletes,
                        Instant now, int createTokens, boolean backingOff) {

    public PlanInput {
        pods = List.copyOf(pods);
        inFlightDeletes = Set.copyOf(inFlightDeletes);
    }
}
