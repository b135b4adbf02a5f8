package io.kubecoderun.controller.app;

import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.function.ToDoubleFunction;

/**
 * The controller's metrics for Prometheus ({@code /q/metrics}): per language the pool's target, ready, leased,
 * starting and held pods and the registry's hits, wait hits and misses; counters of pods created, deletions by
 * reason, lease expiries, registry repairs, cold starts and leader changes. Labels: language and reason only.
 */
@ApplicationScoped
public class PoolMeters implements MeterBinder {
    private static final String[] REASONS = {
        "used", "failed", "never_ready", "unschedulable", "max_age", "scale_down", "orphan"
    };

    @Inject
    PoolMetrics metrics;

    @Inject
    ControllerApp app;

    @Override
    public void bindTo(MeterRegistry registry) {
        for (Language language : Languages.all()) {
            String id = language.id();
            gauge(registry, "kcr_pool_target", id, g -> g.target());
            gauge(registry, "kcr_pool_ready", id, g -> g.ready());
            gauge(registry, "kcr_pool_leased", id, g -> g.leased());
            gauge(registry, "kcr_pool_starting", id, g -> g.starting());
            gauge(registry, "kcr_pool_held", id, g -> g.held());
            gauge(registry, "kcr_pool_hits", id, g -> g.registry().hits());
            gauge(registry, "kcr_pool_wait_hits", id, g -> g.registry().waitHits());
            gauge(registry, "kcr_pool_misses", id, g -> g.registry().misses());
        }
        FunctionCounter.builder("kcr_pods_created", metrics, m -> m.podsCreated.get())
                .register(registry);
        FunctionCounter.builder("kcr_lease_expiries", metrics, m -> m.leaseExpiries.get())
                .register(registry);
        FunctionCounter.builder("kcr_registry_repairs", metrics, m -> m.registryRepairs.get())
                .register(registry);
        FunctionCounter.builder("kcr_cold_starts", metrics, m -> m.coldStarts.get())
                .register(registry);
        FunctionCounter.builder("kcr_leader_changes", app, ControllerApp::leaderChanges)
                .register(registry);
        Gauge.builder("kcr_controller_active", app, a -> a.active() ? 1 : 0).register(registry);
        for (String reason : REASONS) {
            FunctionCounter.builder("kcr_pods_deleted", metrics, m -> m.deletionsByReason()
                            .getOrDefault(reason, 0L))
                    .tag("reason", reason)
                    .register(registry);
        }
    }

    private void gauge(
            MeterRegistry registry, String name, String language, ToDoubleFunction<PoolMetrics.Gauges> value) {
        Gauge.builder(name, metrics, m -> {
                    PoolMetrics.Gauges g = m.languages().get(language);
                    return g == null ? 0 : value.applyAsDouble(g);
                })
                .tag("language", language)
                .register(registry);
    }
}
