package io.kubecoderun.registry;

/** What an offer did with a pod. */
public enum OfferOutcome {
    /** Queued as idle, ready for the next acquire. */
    IDLE,
    /** Leased straight to the oldest live waiter (or the named Job request). */
    HANDED_TO_WAITER,
    /** The registry already knows this pod (idle, leased or done): nothing changed. Offers are idempotent. */
    ALREADY_KNOWN,
    /** Refused: the offering controller's epoch is older than the registry's, so it is no longer the leader. */
    STALE_EPOCH
}
