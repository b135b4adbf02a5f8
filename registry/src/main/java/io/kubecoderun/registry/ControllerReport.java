package io.kubecoderun.registry;

/**
 * What the leading controller tells the registry after a pass over one language, for {@code /metrics/pool} on
 * whichever replica of the health function answers: the pool's target and pods starting now (gauges), and the
 * pods created, deleted and Jobs served since its previous report (added to the totals).
 */
public record ControllerReport(long target, long starting, long created, long deleted, long coldStarts) {
    public ControllerReport {
        if (target < 0 || starting < 0 || created < 0 || deleted < 0 || coldStarts < 0) {
            throw new IllegalArgumentException("negative count in " + this);
        }
    }
}
