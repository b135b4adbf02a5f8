package io.kubecoderun.exec.api;

import io.kubecoderun.exec.service.ExecObserver;
import io.kubecoderun.registry.Acquisition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Locale;

/**
 * The exec function's metrics for Prometheus ({@code /q/metrics}): {@code kcr_executions_total} and the
 * {@code kcr_execution_seconds} histogram by language and status, and the {@code kcr_lease_acquire_seconds}
 * histogram by language, outcome ({@code hit}, {@code wait_hit}, {@code miss}) and source ({@code pool},
 * {@code job}). Histograms carry buckets for PromQL quantiles and the p50/p95/p99 this replica saw.
 */
@ApplicationScoped
public class ExecMeters implements ExecObserver {
    private static final double[] PERCENTILES = {0.5, 0.95, 0.99};

    @Inject
    MeterRegistry registry;

    @Override
    public void leased(String language, Acquisition.Outcome outcome, boolean viaJob, long nanos) {
        Timer.builder("kcr_lease_acquire_seconds")
                .description("time to lease a sandbox")
                .tag("language", language)
                .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                .tag("source", viaJob ? "job" : "pool")
                .publishPercentileHistogram()
                .publishPercentiles(PERCENTILES)
                .minimumExpectedValue(Duration.ofNanos(100_000))
                .maximumExpectedValue(Duration.ofMinutes(2))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }

    @Override
    public void finished(String language, String status, long nanos) {
        registry.counter("kcr_executions_total", "language", language, "status", status)
                .increment();
        Timer.builder("kcr_execution_seconds")
                .description("POST /exec from request to answer")
                .tag("language", language)
                .tag("status", status)
                .publishPercentileHistogram()
                .publishPercentiles(PERCENTILES)
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry)
                .record(Duration.ofNanos(nanos));
    }
}
