package io.kubecoderun.registry;

import java.util.List;

/**
 * The controller's side of the pool: offer Ready pods, take back idle ones, reap and drain used ones, hear of every
 * lease and release, and rebuild after the store lost its data. Offers are fenced by the leader's epoch.
 */
public interface PoolMembership {

    /** Controller: a Ready pod whose runner says it is unclaimed; goes to the oldest live waiter, else idle. */
    OfferOutcome offer(PodRef pod, long epoch);

    /**
     * Controller: a Job's pod, for the request that asked for it; if that requester has stopped waiting the pod
     * serves the next waiter or goes idle like any offer.
     */
    OfferOutcome offerTo(PodRef pod, long epoch, String requestId);

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
}
