package io.kubecoderun.registry.config;

/** A whole number of at least 0, where the README documents {@code 0} as the off switch. */
public final class ZeroOrPositive extends WholeNumberAtLeast {
    public ZeroOrPositive() {
        super(0, " (0: off)");
    }
}
