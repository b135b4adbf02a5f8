package io.kubecoderun.controller.plan;

import java.time.Instant;
import java.util.List;

/**
 * What to do now for one pool: create {@code creates} pods and delete {@code deletions} (each with its uid, for a
 * precondition, and a reason for the metrics); {@code held} pods are starting slowly or unschedulable and are
 * being waited for rather than replaced. {@code target} is the size planned for (0 for a pool not wanted yet);
 * {@code refillWaitingSince} is when the current refill deferral began (null: none), for the next pass's input.
 */
public record Plan(int creates, List<Deletion> deletions, int held, int target, Instant refillWaitingSince) {

    public Plan {
        deletions = List.copyOf(deletions);
    }

    public enum Reason {
        FAILED,
        NEVER_READY,
        UNSCHEDULABLE,
        MAX_AGE,
        SCALE_DOWN
    }

    public record Deletion(String name, String uid, Reason reason) {}
}
