package io.kubecoderun.controller.plan;

import java.time.Duration;
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
 * back off.
 */
public final class PoolPlanner {

    private PoolPlanner() {
    }

    public static Plan plan(PlanInput in) {
        PoolSpec spec = in.spec();
        List<Plan.Deletion> deletions = new ArrayList<>();
        List<ObservedPod> idle = new ArrayList<>();
        int counted = 0;
        int held = 0;
        for (ObservedPod pod : in.pods()) {
            if (pod.leased()) {
                continue; // single use: deleted after release; its replacement is already counted or planned
            }
            if (pod.phase() == ObservedPod.Phase.TERMINATING || in.inFlightDeletes().contains(pod.name())) {
                counted++;
                continue;
            }
            switch (pod.phase()) {
                case FAILED -> deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.FAILED));
                case STARTING -> {
                    counted++;
                    if (age(in, pod).compareTo(spec.notReadyGrace()) > 0) {
                        deletions.add(new Plan.Deletion(pod.name(), pod.uid(),
                                pod.unschedulable() ? Plan.Reason.UNSCHEDULABLE : Plan.Reason.NEVER_READY));
                    } else {
                        held++;
                    }
                }
                case READY -> {
                    if (spec.maxAge() != null && age(in, pod).compareTo(spec.maxAge()) > 0) {
                        deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.MAX_AGE));
                    } else {
                        idle.add(pod);
                    }
                    counted++;
                }
                default -> throw new IllegalStateException("unhandled phase " + pod.phase());
            }
        }
        int present = counted + in.inFlightCreates();
        if (present > spec.target()) {
            int excess = present - spec.target();
            idle.sort(Comparator.comparing(ObservedPod::createdAt));
            for (int i = 0; i < excess && i < idle.size(); i++) {
                ObservedPod pod = idle.get(i);
                deletions.add(new Plan.Deletion(pod.name(), pod.uid(), Plan.Reason.SCALE_DOWN));
            }
        }
        int creates = 0;
        if (!in.backingOff()) {
            creates = Math.max(0, spec.target() - present);
            creates = Math.min(creates, spec.batch());
            creates = Math.min(creates, Math.max(0, in.createTokens()));
        }
        return new Plan(creates, deletions, held);
    }

    private static Duration age(PlanInput in, ObservedPod pod) {
        return Duration.between(pod.createdAt(), in.now());
    }
}
