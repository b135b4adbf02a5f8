package io.kubecoderun.controller;

import io.kubecoderun.controller.kubernetes.SandboxPodSettings;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the controller runs with, built from its two mappings ({@link ControllerConfig}, {@link PoolSettings}) and
 * checked as a whole: every value out of range or badly formed is named at once. The README's configuration
 * table lists every variable with its default.
 */
public record ControllerSettings(
        boolean poolEnabled,
        boolean warmupOnStartup,
        List<PoolSpec> pools,
        boolean jobOnExhaustion,
        ReconcilerSettings reconcile,
        SandboxPodSettings pods) {

    /** Image names per language; c and cpp share one, js and ts the Node image (images/build.sh builds each). */
    public static final Map<String, String> IMAGE_NAMES = Map.ofEntries(
            Map.entry("py", "python"),
            Map.entry("js", "node"),
            Map.entry("ts", "node"),
            Map.entry("go", "go"),
            Map.entry("java", "java"),
            Map.entry("c", "cpp"),
            Map.entry("cpp", "cpp"),
            Map.entry("php", "php"),
            Map.entry("rs", "rust"),
            Map.entry("r", "r"),
            Map.entry("f90", "fortran"),
            Map.entry("d", "d"),
            Map.entry("bash", "bash"));
    /** Seconds settings: at most a week. */
    private static final int MAX_SECONDS = 86_400 * 7;

    /**
     * The settings from variables as the environment gives them, through the same mappings the app uses (tests,
     * and the manifests' check against the code).
     */
    public static ControllerSettings fromEnvironment(Map<String, String> env, String consumerId) {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .withSources(new PropertiesConfigSource(env, "environment", 300))
                .withMapping(ControllerConfig.class)
                .withMapping(PoolSettings.class)
                .build();
        return from(
                config.getConfigMapping(ControllerConfig.class),
                config.getConfigMapping(PoolSettings.class),
                consumerId);
    }

    public static ControllerSettings from(ControllerConfig config, PoolSettings poolSettings, String consumerId) {
        Checks checks = new Checks();
        ControllerConfig.Pools p = config.pools();
        int batch = checks.range("POD_POOL_PARALLEL_BATCH", p.parallelBatch(), 1, 1000);
        Duration grace = checks.seconds("POD_POOL_NOT_READY_GRACE", p.notReadyGraceSeconds());
        Duration maxAge = checks.seconds("POD_POOL_MAX_AGE", p.maxAgeSeconds());
        List<PoolSpec> pools = new ArrayList<>();
        for (Language language : Languages.all()) {
            int target = checks.range(
                    "POD_POOL_" + language.id().toUpperCase(java.util.Locale.ROOT),
                    poolSettings.target(language.id()),
                    0,
                    PoolSettings.MAX_TARGET);
            pools.add(new PoolSpec(language.id(), target, batch, grace, maxAge));
        }
        ReconcilerSettings defaults = ReconcilerSettings.defaults(consumerId);
        ReconcilerSettings reconcile = defaults.withInterval(
                        checks.seconds("POD_POOL_REPLENISH_INTERVAL", p.replenishIntervalSeconds()))
                .withRefillDeferral(Duration.ofMillis(
                        checks.range("POD_POOL_REFILL_DEFERRAL_MS", p.refillDeferralMillis(), 0, 60_000)))
                .withCreatesPerSecond(checks.range("POD_POOL_CREATES_PER_SECOND", p.createsPerSecond(), 1, 1000));
        ControllerConfig.Pods k = config.pods();
        Map<String, String> images = new LinkedHashMap<>();
        for (Language language : Languages.all()) {
            images.put(
                    language.id(),
                    k.images()
                            .of(language.id())
                            .orElse(k.imageRegistry() + "/kubecoderun-" + IMAGE_NAMES.get(language.id()) + ":"
                                    + k.imageTag()));
        }
        SandboxPodSettings pods = new SandboxPodSettings(
                k.namespace(),
                images,
                list(k.imagePullSecrets()),
                k.cpuLimit(),
                k.memoryLimit(),
                k.cpuRequest(),
                k.memoryRequest(),
                k.runtimeClass().orElse(null),
                checks.map("K8S_NODE_SELECTOR", k.nodeSelector()),
                list(k.tolerations()),
                k.dataSizeLimit(),
                k.tmpSizeLimit(),
                maxAge,
                checks.seconds("K8S_JOB_DEADLINE", k.jobDeadlineSeconds()),
                checks.seconds("K8S_JOB_TTL", k.jobTtlSeconds()));
        if (!checks.problems.isEmpty()) {
            throw new IllegalArgumentException(
                    "invalid controller configuration:\n  " + String.join("\n  ", checks.problems));
        }
        return new ControllerSettings(
                poolSettings.enabled(), p.warmupOnStartup(), pools, poolSettings.jobOnExhaustion(), reconcile, pods);
    }

    private static List<String> list(java.util.Optional<String> value) {
        List<String> items = new ArrayList<>();
        for (String item : value.orElse("").split(",")) {
            if (!item.isBlank()) {
                items.add(item.strip());
            }
        }
        return items;
    }

    /** Collects every problem instead of stopping at the first. */
    private static final class Checks {
        final List<String> problems = new ArrayList<>();

        int range(String name, int value, int min, int max) {
            if (value < min || value > max) {
                problems.add(name + "=" + value + " is outside " + min + ".." + max);
                return Math.max(min, Math.min(max, value));
            }
            return value;
        }

        Duration seconds(String name, int value) {
            return Duration.ofSeconds(range(name, value, 1, MAX_SECONDS));
        }

        Map<String, String> map(String name, java.util.Optional<String> value) {
            Map<String, String> map = new LinkedHashMap<>();
            for (String item : list(value)) {
                String[] kv = item.split("=", 2);
                if (kv.length != 2 || kv[0].isBlank()) {
                    problems.add(name + ": '" + item + "' is not key=value");
                } else {
                    map.put(kv[0].strip(), kv[1].strip());
                }
            }
            return map;
        }
    }
}
