package io.kubecoderun.controller.sim;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.plan.Plan;
import io.kubecoderun.controller.plan.PlanInput;
import io.kubecoderun.controller.plan.PoolPlanner;
import io.kubecoderun.controller.plan.PoolSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;

/**
 * A discrete-event simulation of one warm pool driven by the real {@link PoolPlanner}: Poisson arrivals, each
 * leasing a Ready pod (single use) or missing; pods becoming Ready a refill time after their creation; a watch
 * that shows the controller each change only {@code watchLag} later. With no lag the pool is an M/G/S/S loss
 * system, so its miss rate must match Erlang B for S pods and a load of arrival rate × mean refill time.
 */
public final class PoolSimulator {

    /** @param countInFlight whether the planner is told about creations the watch has not shown yet */
    public record Config(
            int poolSize,
            double arrivalsPerSecond,
            double refillSeconds,
            boolean exponentialRefill,
            double watchLagSeconds,
            boolean countInFlight,
            long arrivals,
            long warmupArrivals,
            long seed) {}

    /** Counters after the warm-up: misses / arrivals is the miss rate; created / hits the pods per execution. */
    public record Result(long arrivals, long hits, long misses, long created, int maxPods) {
        public double missRate() {
            return arrivals == 0 ? 0 : (double) misses / arrivals;
        }

        public double podsPerExecution() {
            return hits == 0 ? 0 : (double) created / hits;
        }
    }

    private static final Instant EPOCH = Instant.parse("2026-01-01T00:00:00Z");

    private static final class Pod {
        final String name;
        final double createdAt;
        final double readyAt;
        boolean deleting;

        Pod(String name, double createdAt, double readyAt) {
            this.name = name;
            this.createdAt = createdAt;
            this.readyAt = readyAt;
        }
    }

    private record Event(double time, boolean arrival) {}

    private PoolSimulator() {}

    public static double erlangB(int servers, double load) {
        double b = 1.0;
        for (int k = 1; k <= servers; k++) {
            b = load * b / (k + load * b);
        }
        return b;
    }

    public static Result run(Config c) {
        Random random = new Random(c.seed());
        PoolSpec spec = new PoolSpec("sim", c.poolSize(), Integer.MAX_VALUE, Duration.ofDays(1), null);
        List<Pod> pods = new ArrayList<>();
        PriorityQueue<Event> events = new PriorityQueue<>((a, b) -> Double.compare(a.time(), b.time()));
        int counter = 0;
        for (int i = 0; i < c.poolSize(); i++) { // warm start: a full, observed pool
            pods.add(new Pod("p" + counter++, -1e6, -1e6));
        }
        events.add(new Event(exponential(random, c.arrivalsPerSecond()), true));
        long arrivals = 0;
        long hits = 0;
        long misses = 0;
        long created = 0;
        int maxPods = pods.size();
        while (arrivals < c.warmupArrivals() + c.arrivals()) {
            Event event = events.poll();
            double now = event.time();
            boolean measuring = arrivals >= c.warmupArrivals();
            if (event.arrival()) {
                arrivals++;
                Pod chosen = null;
                for (Pod pod : pods) { // offered = Ready as seen by the controller, not being deleted
                    if (!pod.deleting
                            && pod.readyAt + c.watchLagSeconds() <= now
                            && (chosen == null || pod.readyAt < chosen.readyAt)) {
                        chosen = pod;
                    }
                }
                if (chosen != null) {
                    pods.remove(chosen); // leased: single use, no longer part of the pool
                    if (measuring) {
                        hits++;
                    }
                } else if (measuring) {
                    misses++;
                }
                events.add(new Event(now + exponential(random, c.arrivalsPerSecond()), true));
            }
            // Reconcile on every event, from the lagging view.
            List<ObservedPod> view = new ArrayList<>();
            Set<String> deleting = new HashSet<>();
            int inFlight = 0;
            for (Pod pod : pods) {
                if (pod.createdAt + c.watchLagSeconds() > now) {
                    inFlight++;
                    continue;
                }
                ObservedPod.Phase phase =
                        pod.readyAt + c.watchLagSeconds() <= now ? ObservedPod.Phase.READY : ObservedPod.Phase.STARTING;
                view.add(new ObservedPod(pod.name, pod.name, phase, false, false, at(pod.createdAt)));
                if (pod.deleting) {
                    deleting.add(pod.name);
                }
            }
            Plan plan = PoolPlanner.plan(new PlanInput(
                    spec, view, c.countInFlight() ? inFlight : 0, deleting, at(now), Integer.MAX_VALUE, false));
            for (Plan.Deletion deletion : plan.deletions()) {
                Iterator<Pod> it = pods.iterator();
                while (it.hasNext()) {
                    Pod pod = it.next();
                    if (pod.name.equals(deletion.name())) {
                        it.remove(); // deletions take effect at once here: the simulation studies creation
                    }
                }
            }
            for (int i = 0; i < plan.creates(); i++) {
                double refill = c.exponentialRefill() ? exponential(random, 1 / c.refillSeconds()) : c.refillSeconds();
                Pod pod = new Pod("p" + counter++, now, now + refill);
                pods.add(pod);
                events.add(new Event(pod.createdAt + c.watchLagSeconds(), false));
                events.add(new Event(pod.readyAt + c.watchLagSeconds(), false));
                if (measuring) {
                    created++;
                }
            }
            maxPods = Math.max(maxPods, pods.size());
        }
        return new Result(c.arrivals(), hits, misses, created, maxPods);
    }

    private static Instant at(double seconds) {
        return EPOCH.plusNanos((long) (seconds * 1e9) + 2_000_000_000_000_000L);
    }

    private static double exponential(Random random, double rate) {
        return -Math.log(1 - random.nextDouble()) / rate;
    }
}
