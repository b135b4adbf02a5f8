package io.kubecoderun.registry;

/** Where a pod the registry knows stands: waiting to be leased, lent to a request, or used and awaiting deletion. */
public enum PodState {
    IDLE,
    LEASED,
    DONE;

    static PodState parse(String stored) {
        if (stored.equals("idle")) {
            return IDLE;
        }
        if (stored.equals("done")) {
            return DONE;
        }
        if (stored.startsWith("leased:")) {
            return LEASED;
        }
        throw new IllegalStateException("unknown pod state " + stored);
    }
}
