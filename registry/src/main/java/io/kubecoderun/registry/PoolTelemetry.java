package io.kubecoderun.registry;

/** What {@code /metrics/pool} shows, shared by every replica: pool state, the controller's report, acquisition times. */
public interface PoolTelemetry {

    PoolStats stats(String language);

    /** Controller: its own view of {@code language} after a pass, for {@code /metrics/pool} (see the record). */
    void report(String language, ControllerReport report);

    /**
     * Functions: how long one acquisition took until a lease (a Job's wait included), added to the histogram in
     * {@link PoolStats#acquire()} that every replica shares. Best effort: a failure is logged, never thrown.
     */
    void recordAcquireTime(String language, long nanos);
}
