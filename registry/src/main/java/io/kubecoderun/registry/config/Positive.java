package io.kubecoderun.registry.config;

/** A whole number of at least 1 (a size, a count, a duration in its unit). */
public final class Positive extends WholeNumberAtLeast {
    public Positive() {
        super(1, "");
    }
}
