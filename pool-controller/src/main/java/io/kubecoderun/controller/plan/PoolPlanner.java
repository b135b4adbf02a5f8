package io.kubecoderun.controller.plan;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The pure planner: observed pods plus what is in flight plus the desired size → what to create and delete.
 *
 * <p>The rules that keep a lagging cache from multiplying pods (a known failure of other warm-pool controllers):
 * creations in flight count until the watch shows them; terminating pods, pods being deleted and pods still
 * starting count against the target until they are gone; a pod that is not Ready after the grace is deleted and
 * replaced only once its deletion is observed; leased pods do not count, so the replacement starts at lease time.
 * Creations are capped by the batch size and the rate limiter's tokens, and stop while the API server asks us to
 * back off. A pool nobody has asked for stays empty when warm-up on start is off; where pods share the cores that
 * run executions, a replacement waits for the running execution while another pod is idle, for a bounded time.
 * Job requests take creation tokens too and pause during a back-off ({@link #jobsToStart}).
 */
public final class PoolPlanner {

    private PoolPlanner() {}

    public static Plan plan(PlanInput in) {
        PoolSpec spec = in.spec();
        int target = in.demand().wanted() ? spec.target() : 0;
        List<Plan.Deletion> deletions = new ArrayList<>();
        List<ObservedPod> idle = new ArrayList<>();
        int active = 0; // starting or Ready, not leased, not on its way out
        int leaving = 0; // terminating or being deleted: still holds its place until gone
        int held = 0;
        for (ObservedPod pod : in.pods()) {
            if (pod.leased()) {
                continue; // single use: deleted after release; its replacement is already counted or planned
            }
            if (pod.phase() == ObservedPod.Phase.TERMINATING
                    || in.inFlightDeletes().contains(pod.name())) {
                leaving++;
                continue;
            }
            switch (pod.phase()) {
                case FAILED -> deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.FAILED));
                case STARTING -> {
                    if (age(in, pod).compareTo(spec.notReadyGrace()) > 0) {
                        deletions.add(new Plan.Deletion(
                                pod.name(),
                                pod.uid(),
                                pod.unschedulable() ? Plan.Reason.UNSCHEDULABLE : Plan.Reason.NEVER_READY));
                        leaving++;
                    } else {
                        held++;
                        active++;
                    }
                }
                case READY -> {
                    if (spec.maxAge() != null && age(in, pod).compareTo(spec.maxAge()) > 0) {
                        deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.MAX_AGE));
                        leaving++;
                    } else {
                        idle.add(pod);
                        active++;
                    }
                }
                default -> throw new IllegalStateException("unhandled phase " + pod.phase());
            }
        }
        // Leaving pods delay creation (no pile-up behind a slow deletion) but never cause a healthy one to go.
        int excess = active + in.inFlightCreates() - target;
        if (excess > 0) {
            idle.sort(Comparator.comparing(ObservedPod::createdAt));
            for (int i = 0; i < excess && i < idle.size(); i++) {
                ObservedPod pod = idle.get(i);
                deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.SCALE_DOWN));
            }
        }
        int present = active + leaving + in.inFlightCreates();
        int creates = 0;
        if (!in.backingOff()) {
            creates = Math.max(0, target - present);
            creates = Math.min(creates, spec.batch());
            creates = Math.min(creates, Math.max(0, in.createTokens()));
        }
        Instant waitingSince = refillWaitingSince(in.refill(), in.now());
        if (waitingSince != null
                && Duration.between(waitingSince, in.now())
                                .compareTo(in.refill().deferral())
                        < 0) {
            creates = 0;
        }
        return new Plan(creates, deletions, held, target, waitingSince);
    }

    /**
     * Since when the refill has been waiting for the running executions (null: it does not wait): only where pods
     * share the cores that run them, while one runs and another pod is idle, and with a deferral configured.
     */
    private static Instant refillWaitingSince(PlanInput.Refill refill, Instant now) {
        if (!refill.sharesCores()
                || refill.deferral().isZero()
                || !refill.executionRunning()
                || !refill.idleOffered()) {
            return null;
        }
        return refill.waitingSince() == null ? now : refill.waitingSince();
    }

    /**
     * How many of {@code pending} Job requests to start now: Jobs are creations like pool pods, so they take the
     * rate limiter's tokens and stop while the API server asks us to back off.
     */
    public static int jobsToStart(int pending, int createTokens, boolean backingOff) {
        return backingOff ? 0 : Math.min(pending, Math.max(0, createTokens));
    }

    private static Duration age(PlanInput in, ObservedPod pod) {
        return Duration.between(pod.createdAt(), in.now());
    }
}
