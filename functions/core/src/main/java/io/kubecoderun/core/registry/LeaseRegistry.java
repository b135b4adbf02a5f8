package io.kubecoderun.core.registry;

import java.time.Duration;
import java.util.List;

/**
 * The only meeting point of the functions and the pool controller (functions hold no Kubernetes rights): warm
 * sandboxes are offered by the controller and leased by the functions, one request per sandbox.
 *
 * <p>Contract, shared by every implementation and pinned by {@code LeaseRegistryContract}:
 * <ul>
 *   <li>A pod is in exactly one state at a time: idle, leased (to one lease id) or done (released or expired,
 *       waiting for the controller to delete it). It is never handed to two requests.</li>
 *   <li>Offers are idempotent and fenced: a pod the registry knows is left alone; an offer from a controller
 *       epoch older than the newest seen for the language is refused.</li>
 *   <li>Deadlines come from the registry's clock, never the caller's.</li>
 *   <li>Extend and release are checked against the lease id; a non-holder's release and a second release are
 *       no-ops. An expired lease cannot be extended.</li>
 *   <li>A waiter that gives up at the moment a pod is offered either gets the pod or leaves it idle: it is never
 *       lost and never given twice.</li>
 * </ul>
 */
public interface LeaseRegistry extends AutoCloseable {

    /** Controller: a Ready pod whose runner says it is unclaimed; goes to the oldest live waiter, else idle. */
    OfferOutcome offer(PodRef pod, long epoch);

    /**
     * Controller: a Job's pod, for the request that asked for it; if that requester has stopped waiting the pod
     * serves the next waiter or goes idle like any offer.
     */
    OfferOutcome offerTo(PodRef pod, long epoch, String requestId);

    /**
     * Function: leases an idle pod of {@code language} at once, else waits up to {@code maxWait} (zero: not at
     * all) for one to be offered. The lease runs {@code leaseTtl} from when it is granted.
     */
    Acquisition acquire(String language, Duration leaseTtl, Duration maxWait);

    /**
     * Function: like {@link #acquire}, but when nothing is idle also asks the controller for a Job (a
     * {@link JobRequest} named after this wait) and waits for its pod.
     */
    Acquisition acquireViaJob(String language, Duration leaseTtl, Duration maxWait);

    /** Moves the lease's deadline to {@code ttl} from now; false when the lease is not held or has expired. */
    boolean extend(Lease lease, Duration ttl);

    /** Ends the lease and queues its pod for deletion; false (and no effect) when the lease is not held. */
    boolean release(Lease lease);

    /** Controller: expired leases (their holder died) end; their pods are queued for deletion and returned. */
    List<PodRef> reapExpired(String language);

    /** Controller: takes up to {@code max} pods queued for deletion; the registry forgets them. */
    List<PodRef> drainDone(String language, int max);

    /**
     * Controller: takes back an idle pod before deleting it (rotation, scale-down); false when it was leased
     * meanwhile, in which case it must not be deleted.
     */
    boolean withdraw(PodRef pod);

    /** Controller: the pod is gone (deleted, evicted, never became ready); removes every trace of that pod uid. */
    void forget(PodRef pod);

    /** Controller: a new leader's epoch, greater than any handed out before. */
    long takeLeadership();

    /**
     * Controller: Job requests not yet handed to this consumer, oldest first; requests another consumer took but
     * did not acknowledge within {@code redeliverAfter} come again.
     */
    List<JobRequest> pendingJobRequests(String consumer, int max, Duration redeliverAfter);

    /** Controller: the request is dealt with (its Job exists or it expired). */
    void acknowledge(JobRequest request);

    PoolStats stats(String language);

    /** Controller: its own view of {@code language} after a pass, for {@code /metrics/pool} (see the record). */
    void report(String language, ControllerReport report);

    /**
     * Functions: how long one acquisition took until a lease (a Job's wait included), added to the histogram in
     * {@link PoolStats#acquire()} that every replica shares. Best effort: a failure is logged, never thrown.
     */
    void recordAcquireTime(String language, long nanos);

    /**
     * Controller: calls {@code listener} with the language whenever a pod is leased or released, so the
     * replacement is started and the used pod deleted at once rather than at the next periodic reconcile. Best
     * effort: a missed call only delays. Closing the subscription stops the calls.
     */
    Subscription onLeaseChange(java.util.function.Consumer<String> listener);

    /** Controller: every pod of {@code language} the registry knows, by name, with its state. */
    java.util.Map<String, PodState> podStates(String language);

    /**
     * True once the registry holds the marker written by {@link #markInitialized()}; false on a fresh or emptied
     * store (Redis restarted without its data), which tells the controller to rebuild from the pods it sees.
     */
    boolean initialized();

    void markInitialized();

    @Override
    void close();
}
