package io.kubecoderun.controller.reconcile;

import java.time.Duration;

/**
 * How the controller paces itself.
 *
 * @param interval         between periodic reconciles (a lease also wakes the controller at once)
 * @param createBurst      creations allowed at once by the token bucket
 * @param createsPerSecond the bucket's refill rate
 * @param backoff          pause in creations after the platform answered 403, 429 or 5xx
 * @param inFlightTimeout  a creation not seen by the watch after this is counted no longer (and logged)
 * @param orphanGrace      a claimed pod unknown to the registry (it lost its data) is deleted after this
 * @param drainBatch       released pods deleted, and Job requests taken, per pass and language
 * @param jobRedelivery    a Job request taken by a controller that did not acknowledge it comes back after this
 * @param consumerId       this controller's name in the Job request consumer group
 * @param refillDeferral   on a platform whose pods share the cores that run executions
 *                         ({@link io.kubecoderun.controller.platform.Platform#sharesCoresWithExecutions()}), the
 *                         longest a replacement waits for the running executions of its language to end while
 *                         other pods of the pool are idle; zero starts it at lease time everywhere
 */
public record ReconcilerSettings(
        Duration interval,
        int createBurst,
        double createsPerSecond,
        Duration backoff,
        Duration inFlightTimeout,
        Duration orphanGrace,
        int drainBatch,
        Duration jobRedelivery,
        String consumerId,
        Duration refillDeferral) {

    /** Defaults: each value is what a small cluster or a laptop handles comfortably. */
    public static ReconcilerSettings defaults(String consumerId) {
        return new ReconcilerSettings(
                Duration.ofSeconds(1),
                10,
                5.0,
                Duration.ofSeconds(10),
                Duration.ofMinutes(2),
                Duration.ofMinutes(10),
                50,
                Duration.ofSeconds(30),
                consumerId,
                Duration.ofSeconds(2));
    }

    public ReconcilerSettings withInterval(Duration newInterval) {
        return new ReconcilerSettings(
                newInterval,
                createBurst,
                createsPerSecond,
                backoff,
                inFlightTimeout,
                orphanGrace,
                drainBatch,
                jobRedelivery,
                consumerId,
                refillDeferral);
    }

    public ReconcilerSettings withCreatesPerSecond(double rate) {
        return new ReconcilerSettings(
                interval,
                createBurst,
                rate,
                backoff,
                inFlightTimeout,
                orphanGrace,
                drainBatch,
                jobRedelivery,
                consumerId,
                refillDeferral);
    }

    public ReconcilerSettings withRefillDeferral(Duration deferral) {
        return new ReconcilerSettings(
                interval,
                createBurst,
                createsPerSecond,
                backoff,
                inFlightTimeout,
                orphanGrace,
                drainBatch,
                jobRedelivery,
                consumerId,
                deferral);
    }
}
