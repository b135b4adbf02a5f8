package io.kubecoderun.controller.reconcile;

import io.kubecoderun.registry.ControllerReport;
import io.kubecoderun.registry.PoolTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * What the controller tells the registry about each language after a pass, for {@code /metrics/pool} on any
 * health replica. Counts (pods created, deleted, cold starts) are tallied until a report succeeds; unchanged
 * gauges without new counts are repeated only every {@link #REPORT_EVERY}, so quiet languages cost no Redis call
 * per pass.
 */
final class PoolReports {
    private static final Duration REPORT_EVERY = Duration.ofSeconds(30);

    private record Counts(long created, long deleted, long coldStarts) {
        static final Counts NONE = new Counts(0, 0, 0);

        boolean none() {
            return created + deleted + coldStarts == 0;
        }
    }

    private record Gauges(long target, long starting, Instant at) {}

    private final PoolTelemetry telemetry;
    private final Map<String, Counts> unreported = new HashMap<>();
    private final Map<String, Gauges> last = new HashMap<>();

    PoolReports(PoolTelemetry telemetry) {
        this.telemetry = telemetry;
    }

    void created(String language) {
        unreported.merge(language, new Counts(1, 0, 0), PoolReports::sum);
    }

    void deleted(String language) {
        unreported.merge(language, new Counts(0, 1, 0), PoolReports::sum);
    }

    void coldStart(String language) {
        unreported.merge(language, new Counts(0, 0, 1), PoolReports::sum);
    }

    private static Counts sum(Counts a, Counts b) {
        return new Counts(a.created + b.created, a.deleted + b.deleted, a.coldStarts + b.coldStarts);
    }

    /** Reports {@code language}'s view now, unless nothing changed since a report less than 30 s ago. */
    void report(String language, long target, long starting, Instant now) {
        Counts counts = unreported.getOrDefault(language, Counts.NONE);
        Gauges previous = last.get(language);
        if (counts.none()
                && previous != null
                && previous.target() == target
                && previous.starting() == starting
                && Duration.between(previous.at(), now).compareTo(REPORT_EVERY) < 0) {
            return;
        }
        telemetry.report(
                language,
                new ControllerReport(target, starting, counts.created(), counts.deleted(), counts.coldStarts()));
        unreported.remove(language);
        last.put(language, new Gauges(target, starting, now));
    }
}
