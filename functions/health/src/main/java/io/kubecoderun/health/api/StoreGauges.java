package io.kubecoderun.health.api;

import io.kubecoderun.core.store.SessionCensus;
import io.kubecoderun.core.store.SessionStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * Gauges of what the service holds, for Prometheus at the health function's {@code /q/metrics}:
 * {@code kcr_sessions_active}, {@code kcr_session_files} and {@code kcr_session_file_bytes} (the files live
 * sessions list, and their bytes), from a census of the session store every minute ({@code KCR_CENSUS_INTERVAL})
 * — a scrape never walks the store. {@code kcr_census_age_seconds} says how old the figures are (a failed census keeps the last ones and is
 * logged).
 */
@ApplicationScoped
public class StoreGauges {
    private static final Logger LOG = Logger.getLogger(StoreGauges.class.getName());

    @Inject
    SessionStore sessions;

    @Inject
    MeterRegistry registry;

    private final AtomicReference<SessionCensus> last = new AtomicReference<>();
    private volatile long takenAtNanos = System.nanoTime();

    void register(@Observes StartupEvent event) {
        Gauge.builder("kcr_sessions_active", this, g -> value(SessionCensus::sessions))
                .description("live sessions")
                .register(registry);
        Gauge.builder("kcr_session_files", this, g -> value(SessionCensus::files))
                .description("files listed by live sessions")
                .register(registry);
        Gauge.builder("kcr_session_file_bytes", this, g -> value(SessionCensus::bytes))
                .description("bytes of the files listed by live sessions")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(
                        "kcr_census_age_seconds",
                        this,
                        g -> last.get() == null ? Double.NaN : (System.nanoTime() - takenAtNanos) / 1e9)
                .description("age of the session census behind the kcr_session* gauges")
                .register(registry);
    }

    @Scheduled(
            every = "${KCR_CENSUS_INTERVAL:60s}",
            delayed = "5s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        long start = System.nanoTime();
        try {
            last.set(sessions.census());
            takenAtNanos = System.nanoTime();
            LOG.fine("event=session_census ms=" + (takenAtNanos - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warning("event=session_census_failed error=" + e.getMessage());
        }
    }

    private double value(java.util.function.ToLongFunction<SessionCensus> field) {
        SessionCensus census = last.get();
        return census == null ? Double.NaN : field.applyAsLong(census);
    }
}
