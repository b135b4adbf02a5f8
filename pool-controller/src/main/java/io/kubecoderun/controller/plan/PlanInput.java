package io.kubecoderun.controller.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Everything a plan depends on: the spec, the pods in the cache, the creations issued but not yet seen by the
 * watch ({@code inFlightCreates}), the deletions issued but not yet seen ({@code inFlightDeletes}, by name), the
 * current time, the creation tokens the rate limiter grants now, whether the API server asked us to back off, the
 * language's demand (lazy warm-up) and the state of its refill deferral.
 */
public record PlanInput(
        PoolSpec spec,
        List<ObservedPod> pods,
        int inFlightCreates,
        Set<String> inFlightDeletes,
        Instant now,
        int createTokens,
        boolean backingOff,
        Demand demand,
        Refill refill) {

    public PlanInput {
        pods = List.copyOf(pods);
        inFlightDeletes = Set.copyOf(inFlightDeletes);
    }

    /** A pool that is always warm and never defers its refill (a cluster, or the simulator). */
    public PlanInput(
            PoolSpec spec,
            List<ObservedPod> pods,
            int inFlightCreates,
            Set<String> inFlightDeletes,
            Instant now,
            int createTokens,
            boolean backingOff) {
        this(
                spec,
                pods,
                inFlightCreates,
                inFlightDeletes,
                now,
                createTokens,
                backingOff,
                Demand.ALWAYS_WARM,
                Refill.AT_LEASE);
    }

    /**
     * Whether the pool is wanted yet: with {@code warmupOnStartup} false ({@code POD_POOL_WARMUP_ON_STARTUP}) a
     * language nobody has asked for keeps no warm pods.
     */
    public record Demand(boolean warmupOnStartup, boolean requestedBefore) {
        public static final Demand ALWAYS_WARM = new Demand(true, false);

        boolean wanted() {
            return warmupOnStartup || requestedBefore;
        }
    }

    /**
     * When a replacement may start. Where pods share the cores that run executions ({@code sharesCores}), it waits
     * while an execution of the language runs ({@code executionRunning}) and another pod is idle to serve the next
     * request ({@code idleOffered}), for at most {@code deferral} from {@code waitingSince} (null: not waiting yet).
     */
    public record Refill(
            boolean sharesCores,
            Duration deferral,
            boolean executionRunning,
            boolean idleOffered,
            Instant waitingSince) {
        public static final Refill AT_LEASE = new Refill(false, Duration.ZERO, false, false, null);
    }
}
