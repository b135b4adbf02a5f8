package io.kubecoderun.registry;

/**
 * What {@link LeaseRegistry#acquire} got: a warm sandbox at once ({@link Outcome#HIT}), one offered while it
 * waited ({@link Outcome#WAIT_HIT}), or none within the wait ({@link Outcome#MISS}, lease null). A miss is an
 * outcome, not an error: the caller asks for a Job or answers 503.
 */
public record Acquisition(Outcome outcome, Lease lease) {

    public enum Outcome {
        HIT,
        WAIT_HIT,
        MISS
    }

    static Acquisition miss() {
        return new Acquisition(Outcome.MISS, null);
    }

    public boolean acquired() {
        return lease != null;
    }
}
