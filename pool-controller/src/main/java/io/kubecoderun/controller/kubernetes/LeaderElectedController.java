package io.kubecoderun.controller.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfig;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElector;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import io.kubecoderun.controller.reconcile.PoolController;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Logger;

/**
 * Runs the pool controller only while this replica holds the Kubernetes Lease. Each time it becomes leader, a
 * new controller is built, which takes a new epoch from the registry: offers of a deposed leader that has not
 * noticed yet are refused, and it stops at its next refused offer.
 *
 * <p>fabric8's elector ends for good when a leader fails to renew (its future completes): this replica then runs for
 * the lease again after the retry period, so a leader that lost the lease (the API server refused its renewals, a
 * network split) can lead again later. {@link #electing()} is false only while no election runs and none is
 * scheduled — the liveness check's signal.
 */
public final class LeaderElectedController implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LeaderElectedController.class.getName());
    public static final String LEASE_NAME = "kubecoderun-pool-controller";

    /** Lease timings: how long a lease lasts, by when a leader must have renewed it, and how often to try. */
    public record Timings(Duration leaseDuration, Duration renewDeadline, Duration retryPeriod) {
        /** Kubernetes' usual controller values: a dead leader is replaced within about 15 s. */
        public static Timings defaults() {
            return new Timings(Duration.ofSeconds(15), Duration.ofSeconds(10), Duration.ofSeconds(2));
        }
    }

    private final KubernetesClient client;
    private final String namespace;
    private final String identity;
    private final Supplier<PoolController> controllers;
    private final Timings timings;
    private final ExecutorService executor = Executors.newCachedThreadPool(
            r -> Thread.ofPlatform().daemon().name("kcr-leader-election").unstarted(r));
    private final AtomicLong leaderChanges = new AtomicLong();
    private volatile PoolController controller;
    private volatile String leader;
    private CompletableFuture<?> election;
    private volatile boolean closed;
    /** Between an election's end and the next one's start. */
    private volatile boolean rerunning;

    private final AtomicLong elections = new AtomicLong();

    public LeaderElectedController(
            KubernetesClient client,
            String namespace,
            String identity,
            Supplier<PoolController> controllers,
            Timings timings) {
        this.client = client;
        this.namespace = namespace;
        this.identity = identity;
        this.controllers = controllers;
        this.timings = timings;
    }

    public synchronized void start() {
        closed = false;
        elect();
    }

    private synchronized void elect() {
        rerunning = false;
        if (closed) {
            return;
        }
        elections.incrementAndGet();
        LeaderElectionConfig config = new LeaderElectionConfig(
                new LeaseLock(namespace, LEASE_NAME, identity),
                timings.leaseDuration(),
                timings.renewDeadline(),
                timings.retryPeriod(),
                new LeaderCallbacks(this::startLeading, this::stopLeading, this::newLeader),
                true,
                LEASE_NAME);
        CompletableFuture<?> started = new LeaderElector(client, config, executor).start();
        election = started;
        started.whenComplete((done, error) -> {
            if (closed || started.isCancelled()) {
                return;
            }
            // The elector stopped (leadership lost, or the election failed): run for the lease again.
            LOG.warning("event=election_ended identity=" + identity + " detail=\"running for the lease again in "
                    + timings.retryPeriod().toMillis() + " ms\"" + (error == null ? "" : " error=" + error));
            rerunning = true;
            CompletableFuture.delayedExecutor(
                            timings.retryPeriod().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS, executor)
                    .execute(this::elect);
        });
    }

    /** Whether this replica runs for (or holds) the lease: an election runs, or the next one is scheduled. */
    public boolean electing() {
        CompletableFuture<?> current = election;
        return !closed && (rerunning || (current != null && !current.isDone()));
    }

    /** How many elections this replica has run (the first, and one after each that ended). */
    public long elections() {
        return elections.get();
    }

    private void startLeading() {
        LOG.info("event=leader_elected identity=" + identity);
        leaderChanges.incrementAndGet();
        controller = controllers.get();
    }

    private void stopLeading() {
        LOG.warning("event=leadership_lost identity=" + identity);
        PoolController running = controller;
        controller = null;
        if (running != null) {
            running.close();
        }
    }

    private void newLeader(String name) {
        leader = name;
    }

    public boolean leading() {
        PoolController running = controller;
        return running != null && running.reconciler().leading();
    }

    public String leader() {
        return leader;
    }

    public long leaderChanges() {
        return leaderChanges.get();
    }

    /** Releases the lease (a successor takes over at once) and stops the controller. */
    @Override
    public synchronized void close() {
        closed = true;
        if (election != null) {
            election.cancel(true);
        }
        stopLeading();
        executor.shutdownNow();
    }
}
