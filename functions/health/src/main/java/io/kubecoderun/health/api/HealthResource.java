package io.kubecoderun.health.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.PoolStats;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.registry.redis.RedisBackend;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Health of the API (API.md, "Health and metrics"): liveness without touching anything, readiness and a check
 * per dependency with its latency, and {@code /metrics/pool} from the lease registry. No credentials needed.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class HealthResource {
    /** Warm pods per language when none is configured (the controller's defaults). */
    @Inject
    LeaseRegistry registry;

    @Inject
    SessionStore sessions;

    @Inject
    FileStore files;

    @Inject
    KcrSettings settings;

    @Inject
    RedisBackend redis;

    @Inject
    PoolSettings pools;

    @GET
    @Path("health")
    public Map<String, Object> health() {
        return Map.of("status", "healthy");
    }

    @GET
    @Path("ready")
    public Response ready() {
        Map<String, Object> redis = check(this::pingRegistry);
        Map<String, Object> storage = check(files::ping);
        boolean ok = "healthy".equals(redis.get("status")) && "healthy".equals(storage.get("status"));
        return Response.status(ok ? 200 : 503)
                .entity(Map.of(
                        "status",
                        ok ? "ready" : "not_ready",
                        "dependencies",
                        Map.of("redis", redis, "storage", storage)))
                .build();
    }

    @GET
    @Path("health/detailed")
    public Response detailed() {
        Map<String, Object> dependencies = new LinkedHashMap<>();
        dependencies.put("redis", check(this::pingRegistry));
        dependencies.put("storage", check(files::ping));
        dependencies.put("kubernetes", kubernetes());
        boolean ok = dependencies.values().stream()
                .map(d -> ((Map<?, ?>) d).get("status"))
                .allMatch(s -> "healthy".equals(s) || "not_used".equals(s) || "not_checked".equals(s));
        return Response.status(ok ? 200 : 503)
                .entity(Map.of("status", ok ? "healthy" : "degraded", "dependencies", dependencies))
                .build();
    }

    @GET
    @Path("health/redis")
    public Response redis() {
        return answer(check(this::pingRegistry));
    }

    @GET
    @Path("health/storage")
    public Response storage() {
        return answer(check(files::ping));
    }

    @GET
    @Path("health/minio")
    public Response minio() {
        return storage();
    }

    @GET
    @Path("health/kubernetes")
    public Map<String, Object> kubernetesHealth() {
        return kubernetes();
    }

    @GET
    @Path("metrics/pool")
    public Map<String, Object> pool() {
        Map<String, Object> languages = new LinkedHashMap<>();
        for (Language language : Languages.all()) {
            PoolStats stats = registry.stats(language.id());
            Map<String, Object> json = new LinkedHashMap<>();
            // The controller's report when there is one; before its first pass, what this process is configured with.
            long target = stats.target() >= 0 ? stats.target() : pools.target(language.id());
            json.put("target", target);
            json.put("ready", stats.idle());
            json.put("leased", stats.leased());
            json.put("starting", Math.max(0, stats.starting()));
            json.put("waiters", stats.waiters());
            json.put("hits", stats.hits());
            json.put("wait_hits", stats.waitHits());
            json.put("misses", stats.misses());
            json.put("cold_starts", stats.coldStarts());
            json.put("pods_created", stats.podsCreated());
            json.put("pods_deleted", stats.podsDeleted());
            json.put("offers", stats.offers());
            json.put("lease_expiries", stats.expired());
            Map<String, Object> acquire = new LinkedHashMap<>();
            acquire.put("p50", millis(stats.acquire().percentileMs(0.5)));
            acquire.put("p99", millis(stats.acquire().percentileMs(0.99)));
            acquire.put("samples", stats.acquire().count());
            json.put("acquire_ms", acquire);
            languages.put(language.id(), json);
        }
        return Map.of("languages", languages);
    }

    /** Three decimals; null (not NaN, which JSON lacks) without samples. */
    private static Double millis(double ms) {
        return Double.isNaN(ms) ? null : Math.round(ms * 1000) / 1000.0;
    }

    private Map<String, Object> kubernetes() {
        if (pools.platform() == PoolSettings.Platform.LOCAL) {
            return Map.of("status", "not_used", "detail", "local platform: runners are processes on this machine");
        }
        return Map.of(
                "status",
                "not_checked",
                "detail",
                "the functions hold no Kubernetes rights; the pool controller reports at its /q/health");
    }

    private void pingRegistry() {
        if (redis.client().isPresent()) {
            sessions.ping();
        }
        registry.stats("py");
    }

    private static Map<String, Object> check(Runnable probe) {
        long start = System.nanoTime();
        Map<String, Object> result = new LinkedHashMap<>();
        try {
            probe.run();
            result.put("status", "healthy");
        } catch (RuntimeException e) {
            result.put("status", "unhealthy");
            result.put("error", e.getMessage());
        }
        result.put("latency_ms", Math.round((System.nanoTime() - start) / 1e4) / 100.0);
        return result;
    }

    private static Response answer(Map<String, Object> check) {
        return Response.status("healthy".equals(check.get("status")) ? 200 : 503)
                .entity(check)
                .build();
    }
}
