package io.kubecoderun.controller;

import io.kubecoderun.runner.EnvReader;

import io.kubecoderun.controller.kubernetes.SandboxPodSettings;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The controller's configuration from environment variables, accepting the original KubeCodeRun names so an
 * operator can move over without rewriting anything. Validated as a whole: every bad variable is named at once.
 * The README's configuration table lists every variable with its default.
 */
public record ControllerSettings(boolean poolEnabled, boolean warmupOnStartup, List<PoolSpec> pools,
                                 boolean jobOnExhaustion, ReconcilerSettings reconcile, SandboxPodSettings pods) {

    /** Warm pods per language when nothing is configured: the two languages agents use most. */
    static final Map<String, Integer> DEFAULT_POOLS = Map.of("py", 5, "js", 2);
    /** Image names per language; c and cpp share one, js and ts the Node image (images/build.sh builds each). */
    public static final Map<String, String> IMAGE_NAMES = Map.ofEntries(Map.entry("py", "python"), Map.entry("js", "node"),
            Map.entry("ts", "node"), Map.entry("go", "go"), Map.entry("java", "java"), Map.entry("c", "cpp"),
            Map.entry("cpp", "cpp"), Map.entry("php", "php"), Map.entry("rs", "rust"), Map.entry("r", "r"),
            Map.entry("f90", "fortran"), Map.entry("d", "d"), Map.entry("bash", "bash"));

    public static ControllerSettings fromEnvironment(Map<String, String> env, String consumerId) {
        return from(env::get, consumerId);
    }

    /** Reads through {@code lookup} (environment variables, or MicroProfile Config which includes them). */
    public static ControllerSettings from(java.util.function.Function<String, String> lookup, String consumerId) {
        Reader r = new Reader(lookup);
        boolean enabled = r.bool("POD_POOL_ENABLED", true);
        boolean warmup = r.bool("POD_POOL_WARMUP_ON_STARTUP", true);
        int batch = r.integer("POD_POOL_PARALLEL_BATCH", 5, 1, 1000);
        Duration grace = r.seconds("POD_POOL_NOT_READY_GRACE", 120);
        Duration maxAge = r.seconds("POD_POOL_MAX_AGE", 3600);
        List<PoolSpec> pools = new ArrayList<>();
        for (Language language : Languages.all()) {
            String key = "POD_POOL_" + language.id().toUpperCase(Locale.ROOT);
            int target = r.integer(key, DEFAULT_POOLS.getOrDefault(language.id(), 0), 0, 500);
            pools.add(new PoolSpec(language.id(), enabled ? target : 0, batch, grace, maxAge));
        }
        ReconcilerSettings defaults = ReconcilerSettings.defaults(consumerId);
        ReconcilerSettings reconcile = defaults.withInterval(r.seconds("POD_POOL_REPLENISH_INTERVAL", 1))
                .withRefillDeferral(Duration.ofMillis(r.integer("POD_POOL_REFILL_DEFERRAL_MS",
                        (int) defaults.refillDeferral().toMillis(), 0, 60_000)));
        String registry = r.string("K8S_IMAGE_REGISTRY", "kubecoderun");
        String tag = r.string("K8S_IMAGE_TAG", "latest");
        Map<String, String> images = new LinkedHashMap<>();
        for (Language language : Languages.all()) {
            String override = r.string("LANG_IMAGE_" + language.id().toUpperCase(Locale.ROOT), null);
            images.put(language.id(), override != null ? override
                    : registry + "/kubecoderun-" + IMAGE_NAMES.get(language.id()) + ":" + tag);
        }
        SandboxPodSettings pods = new SandboxPodSettings(
                r.string("K8S_NAMESPACE", "kubecoderun"), images, r.list("K8S_IMAGE_PULL_SECRETS"),
                r.string("K8S_CPU_LIMIT", "1"), r.string("K8S_MEMORY_LIMIT", "512Mi"),
                r.string("K8S_CPU_REQUEST", "100m"), r.string("K8S_MEMORY_REQUEST", "128Mi"),
                r.string("K8S_RUNTIME_CLASS", null), r.map("K8S_NODE_SELECTOR"), r.list("K8S_TOLERATIONS"),
                r.string("K8S_DATA_SIZE_LIMIT", "1Gi"), r.string("K8S_TMP_SIZE_LIMIT", "256Mi"), maxAge,
                r.seconds("K8S_JOB_DEADLINE", 900), r.seconds("K8S_JOB_TTL", 60));
        boolean jobOnExhaustion = r.bool("POD_POOL_EXHAUSTION_TRIGGER", true);
        if (!r.problems().isEmpty()) {
            throw new IllegalArgumentException("invalid controller configuration:\n  "
                    + String.join("\n  ", r.problems()));
        }
        return new ControllerSettings(enabled, warmup, pools, jobOnExhaustion, reconcile, pods);
    }

    private static final class Reader extends EnvReader {
        Reader(java.util.function.Function<String, String> env) {
            super(env);
        }

        boolean bool(String name, boolean fallback) {
            String value = string(name, null);
            if (value == null) {
                return fallback;
            }
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "true", "1", "yes", "on" -> true;
                case "false", "0", "no", "off" -> false;
                default -> {
                    problems().add(name + "=" + value + " is not true or false");
                    yield fallback;
                }
            };
        }

        /** Seconds as a whole number, as the original configuration writes them. */
        Duration seconds(String name, int fallback) {
            return Duration.ofSeconds(integer(name, fallback, 1, 86_400 * 7));
        }

        List<String> list(String name) {
            String value = string(name, null);
            if (value == null) {
                return List.of();
            }
            List<String> items = new ArrayList<>();
            for (String item : value.split(",")) {
                if (!item.isBlank()) {
                    items.add(item.strip());
                }
            }
            return items;
        }

        Map<String, String> map(String name) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String item : list(name)) {
                String[] kv = item.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    problems().add(name + ": '" + item + "' is not key=value");
                } else {
                    map.put(kv[0].strip(), kv[1].strip());
                }
            }
            return map;
        }
    }
}
