package io.kubecoderun.controller.plan;

import static io.kubecoderun.controller.plan.ObservedPod.Phase.FAILED;
import static io.kubecoderun.controller.plan.ObservedPod.Phase.READY;
import static io.kubecoderun.controller.plan.ObservedPod.Phase.STARTING;
import static io.kubecoderun.controller.plan.ObservedPod.Phase.TERMINATING;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.controller.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PoolPlannerTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final PoolSpec SPEC = new PoolSpec("py", 5, 10, Duration.ofMinutes(2), Duration.ofHours(1));

    static ObservedPod pod(String name, ObservedPod.Phase phase, boolean leased, Duration age) {
        return new ObservedPod(name, "uid-" + name, phase, leased, false, NOW.minus(age));
    }

    static List<ObservedPod> ready(int n) {
        List<ObservedPod> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pods.add(pod("r" + i, READY, false, Duration.ofMinutes(1)));
        }
        return pods;
    }

    static Plan plan(List<ObservedPod> pods, int inFlightCreates, Set<String> inFlightDeletes) {
        return PoolPlanner.plan(new PlanInput(SPEC, pods, inFlightCreates, inFlightDeletes, NOW, 100, false));
    }

    @Test
    void anEmptyPoolIsFilledToTarget() {
        assertEquals(5, plan(List.of(), 0, Set.of()).creates());
    }

    @Test
    void aFullPoolIsLeftAlone() {
        Plan plan = plan(ready(5), 0, Set.of());
        assertEquals(0, plan.creates());
        assertEquals(List.of(), plan.deletions());
    }

    @Test
    void aLeaseStartsItsReplacementAtOnce() {
        List<ObservedPod> pods = ready(4);
        pods.add(pod("leased", READY, true, Duration.ofMinutes(1)));
        assertEquals(1, plan(pods, 0, Set.of()).creates());
    }

    /**
     * The lagging-cache failure: creations issued a moment ago are not in the cache yet. Counting them in flight
     * keeps every reconcile from creating them again.
     */
    @Test
    void creationsInFlightAreNotRepeatedWhileTheCacheLags() {
        assertEquals(0, plan(List.of(), 5, Set.of()).creates());
        assertEquals(2, plan(ready(1), 2, Set.of()).creates());
    }

    @Test
    void terminatingAndDeletingPodsCountAgainstTheTargetUntilGone() {
        List<ObservedPod> pods = ready(3);
        pods.add(pod("t", TERMINATING, false, Duration.ofMinutes(5)));
        pods.add(pod("d", READY, false, Duration.ofMinutes(5)));
        assertEquals(0, plan(pods, 0, Set.of("d")).creates());
    }

    /**
     * A pod on its way out holds its place until gone, but must never push a healthy idle pod out: that was a
     * delete-and-recreate churn after every over-target moment.
     */
    @Test
    void leavingPodsDelayCreationButNeverCauseAScaleDown() {
        List<ObservedPod> pods = ready(5);
        pods.add(pod("t", TERMINATING, false, Duration.ofMinutes(5)));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(List.of(), plan.deletions());
        assertEquals(0, plan.creates());
    }

    @Test
    void aPodStartingSlowlyIsHeldNotReplacedWithinTheGrace() {
        List<ObservedPod> pods = ready(4);
        pods.add(new ObservedPod("slow", "uid-slow", STARTING, false, true, NOW.minus(Duration.ofSeconds(30))));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(0, plan.creates());
        assertEquals(1, plan.held());
        assertEquals(List.of(), plan.deletions());
    }

    @Test
    void aPodNeverReadyAfterTheGraceIsDeletedAndReplacedOnlyOnceTheDeletionIsSeen() {
        List<ObservedPod> pods = ready(4);
        pods.add(new ObservedPod("stuck", "uid-stuck", STARTING, false, true, NOW.minus(Duration.ofMinutes(3))));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(List.of(new Plan.Deletion("stuck", "uid-stuck", Plan.Reason.UNSCHEDULABLE)), plan.deletions());
        assertEquals(0, plan.creates(), "no replacement while the stuck pod still exists");
        assertEquals(1, plan(ready(4), 0, Set.of()).creates(), "replaced once it is gone");
    }

    @Test
    void failedPodsAreDeletedAndReplaced() {
        List<ObservedPod> pods = ready(4);
        pods.add(pod("f", FAILED, false, Duration.ofMinutes(1)));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(List.of(new Plan.Deletion("f", "uid-f", Plan.Reason.FAILED)), plan.deletions());
        assertEquals(1, plan.creates());
    }

    @Test
    void idlePodsPastTheirMaxAgeAreRotated() {
        List<ObservedPod> pods = ready(4);
        pods.add(pod("old", READY, false, Duration.ofHours(2)));
        pods.add(pod("old-but-leased", READY, true, Duration.ofHours(2)));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(List.of(new Plan.Deletion("old", "uid-old", Plan.Reason.MAX_AGE)), plan.deletions());
    }

    @Test
    void aSmallerTargetDeletesTheOldestIdlePods() {
        List<ObservedPod> pods = ready(5);
        pods.add(pod("oldest", READY, false, Duration.ofMinutes(30)));
        pods.add(pod("older", READY, false, Duration.ofMinutes(20)));
        Plan plan = plan(pods, 0, Set.of());
        assertEquals(
                List.of("oldest", "older"),
                plan.deletions().stream().map(Plan.Deletion::name).toList());
        assertEquals(0, plan.creates());
    }

    @Test
    void creationIsCappedByBatchTokensAndBackoff() {
        PoolSpec big = new PoolSpec("py", 50, 8, Duration.ofMinutes(2), null);
        assertEquals(
                8,
                PoolPlanner.plan(new PlanInput(big, List.of(), 0, Set.of(), NOW, 100, false))
                        .creates());
        assertEquals(
                3,
                PoolPlanner.plan(new PlanInput(big, List.of(), 0, Set.of(), NOW, 3, false))
                        .creates());
        assertEquals(
                0,
                PoolPlanner.plan(new PlanInput(big, List.of(), 0, Set.of(), NOW, 100, true))
                        .creates());
    }

    @Test
    void aTokenBucketRefillsAtItsRate() {
        TestClock clock = new TestClock(NOW);
        TokenBucket bucket = new TokenBucket(clock, 5, 10);
        assertEquals(5, bucket.available());
        bucket.take(5);
        assertEquals(0, bucket.available());
        clock.advance(Duration.ofMillis(250));
        assertEquals(2, bucket.available());
        clock.advance(Duration.ofSeconds(10));
        assertEquals(5, bucket.available(), "never above capacity");
    }

    private static Plan plan(List<ObservedPod> pods, PlanInput.Demand demand, PlanInput.Refill refill) {
        return PoolPlanner.plan(new PlanInput(SPEC, pods, 0, Set.of(), NOW, 100, false, demand, refill));
    }

    @Test
    void withoutWarmUpOnStartAPoolNobodyAskedForStaysEmptyAndFillsOnceAsked() {
        Plan unasked = plan(List.of(), new PlanInput.Demand(false, false), PlanInput.Refill.AT_LEASE);
        assertEquals(0, unasked.creates());
        assertEquals(0, unasked.target());
        Plan asked = plan(List.of(), new PlanInput.Demand(false, true), PlanInput.Refill.AT_LEASE);
        assertEquals(5, asked.creates());
        assertEquals(5, asked.target());
        assertEquals(
                5,
                plan(List.of(), new PlanInput.Demand(true, false), PlanInput.Refill.AT_LEASE)
                        .creates(),
                "warm-up on start: filled before any request");
    }

    /** Four idle pods and one leased: the replacement for the leased one is what the deferral holds back. */
    private static List<ObservedPod> oneLeased() {
        List<ObservedPod> pods = ready(4);
        pods.add(pod("leased", READY, true, Duration.ofMinutes(1)));
        return pods;
    }

    @Test
    void onSharedCoresTheReplacementWaitsForTheExecutionWhileAnotherPodIsIdleAtMostTheDeferral() {
        Duration deferral = Duration.ofSeconds(2);
        Plan first =
                plan(oneLeased(), PlanInput.Demand.ALWAYS_WARM, new PlanInput.Refill(true, deferral, true, true, null));
        assertEquals(0, first.creates(), "deferred while the execution runs");
        assertEquals(NOW, first.refillWaitingSince(), "the wait starts now");
        Plan later = plan(
                oneLeased(),
                PlanInput.Demand.ALWAYS_WARM,
                new PlanInput.Refill(true, deferral, true, true, NOW.minus(Duration.ofMillis(1999))));
        assertEquals(0, later.creates());
        Plan due = plan(
                oneLeased(),
                PlanInput.Demand.ALWAYS_WARM,
                new PlanInput.Refill(true, deferral, true, true, NOW.minus(deferral)));
        assertEquals(1, due.creates(), "never longer than the deferral");
        assertEquals(NOW.minus(deferral), due.refillWaitingSince(), "the wait is not restarted");
    }

    @Test
    void theReplacementStartsAtLeaseTimeOnAClusterWithNothingIdleOrWithoutADeferral() {
        Duration deferral = Duration.ofSeconds(2);
        for (PlanInput.Refill refill : List.of(
                new PlanInput.Refill(false, deferral, true, true, null),
                new PlanInput.Refill(true, deferral, true, false, null),
                new PlanInput.Refill(true, Duration.ZERO, true, true, null),
                new PlanInput.Refill(true, deferral, false, true, NOW.minusSeconds(1)))) {
            Plan plan = plan(oneLeased(), PlanInput.Demand.ALWAYS_WARM, refill);
            assertEquals(1, plan.creates(), refill.toString());
            assertEquals(null, plan.refillWaitingSince(), refill.toString());
        }
    }

    @Test
    void jobsTakeCreationTokensAndWaitOutABackoff() {
        assertEquals(3, PoolPlanner.jobsToStart(3, 10, false));
        assertEquals(2, PoolPlanner.jobsToStart(5, 2, false), "no more than the tokens");
        assertEquals(0, PoolPlanner.jobsToStart(5, 0, false));
        assertEquals(0, PoolPlanner.jobsToStart(5, 10, true), "none during a back-off");
    }
}
