package io.kubecoderun.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.plan.PoolSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ControllerSettingsTest {

    private static Map<String, Integer> targets(ControllerSettings s) {
        return s.pools().stream().collect(Collectors.toMap(PoolSpec::language, PoolSpec::target));
    }

    @Test
    void defaultsWarmPythonAndJavaScriptAndServeTheRestThroughJobs() {
        ControllerSettings s = ControllerSettings.fromEnvironment(Map.of(), "c");
        Map<String, Integer> targets = targets(s);
        assertEquals(13, targets.size());
        assertEquals(5, targets.get("py"));
        assertEquals(2, targets.get("js"));
        assertEquals(0, targets.get("f90"));
        assertTrue(s.poolEnabled() && s.warmupOnStartup() && s.jobOnExhaustion());
        assertEquals("kubecoderun", s.pods().namespace());
        assertEquals("kubecoderun/kubecoderun-python:latest", s.pods().image("py"));
        assertEquals("kubecoderun/kubecoderun-node:latest", s.pods().image("ts"));
        assertEquals("kubecoderun/kubecoderun-cpp:latest", s.pods().image("c"));
        assertNull(s.pods().runtimeClassName());
        assertEquals(Duration.ofSeconds(1), s.reconcile().interval());
        assertEquals(Duration.ofSeconds(2), s.reconcile().refillDeferral());
    }

    @Test
    void theRefillDeferralIsReadInMillisecondsAndCanBeSwitchedOff() {
        assertEquals(
                Duration.ofMillis(750),
                ControllerSettings.fromEnvironment(Map.of("POD_POOL_REFILL_DEFERRAL_MS", "750"), "c")
                        .reconcile()
                        .refillDeferral());
        assertEquals(
                Duration.ZERO,
                ControllerSettings.fromEnvironment(Map.of("POD_POOL_REFILL_DEFERRAL_MS", "0"), "c")
                        .reconcile()
                        .refillDeferral());
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> ControllerSettings.fromEnvironment(Map.of("POD_POOL_REFILL_DEFERRAL_MS", "-1"), "c"));
        assertTrue(e.getMessage().contains("POD_POOL_REFILL_DEFERRAL_MS"), e.getMessage());
    }

    @Test
    void theOriginalKubeCodeRunNamesAreHonoured() {
        ControllerSettings s = ControllerSettings.fromEnvironment(
                Map.ofEntries(
                        Map.entry("POD_POOL_PY", "8"),
                        Map.entry("POD_POOL_GO", "1"),
                        Map.entry("POD_POOL_PARALLEL_BATCH", "3"),
                        Map.entry("POD_POOL_REPLENISH_INTERVAL", "5"),
                        Map.entry("POD_POOL_WARMUP_ON_STARTUP", "false"),
                        Map.entry("POD_POOL_EXHAUSTION_TRIGGER", "false"),
                        Map.entry("K8S_NAMESPACE", "sandboxes"),
                        Map.entry("K8S_IMAGE_REGISTRY", "registry.example/kcr"),
                        Map.entry("K8S_IMAGE_TAG", "1.2.3"),
                        Map.entry("K8S_IMAGE_PULL_SECRETS", "pull-a, pull-b"),
                        Map.entry("K8S_CPU_LIMIT", "2"),
                        Map.entry("K8S_MEMORY_LIMIT", "1Gi"),
                        Map.entry("K8S_CPU_REQUEST", "250m"),
                        Map.entry("K8S_MEMORY_REQUEST", "256Mi"),
                        Map.entry("LANG_IMAGE_PY", "custom/python:9"),
                        Map.entry("K8S_RUNTIME_CLASS", "gvisor"),
                        Map.entry("K8S_NODE_SELECTOR", "pool=sandbox,zone=a"),
                        Map.entry("K8S_TOLERATIONS", "sandbox=true:NoSchedule")),
                "c");
        assertEquals(8, targets(s).get("py"));
        assertEquals(1, targets(s).get("go"));
        assertEquals(3, s.pools().get(0).batch());
        assertEquals(Duration.ofSeconds(5), s.reconcile().interval());
        assertFalse(s.warmupOnStartup());
        assertFalse(s.jobOnExhaustion());
        assertEquals("sandboxes", s.pods().namespace());
        assertEquals("custom/python:9", s.pods().image("py"));
        assertEquals("registry.example/kcr/kubecoderun-go:1.2.3", s.pods().image("go"));
        assertEquals(List.of("pull-a", "pull-b"), s.pods().pullSecrets());
        assertEquals("gvisor", s.pods().runtimeClassName());
        assertEquals(Map.of("pool", "sandbox", "zone", "a"), s.pods().nodeSelector());
        assertEquals(List.of("sandbox=true:NoSchedule"), s.pods().tolerations());
    }

    @Test
    void disablingThePoolSendsEveryLanguageThroughJobs() {
        ControllerSettings s =
                ControllerSettings.fromEnvironment(Map.of("POD_POOL_ENABLED", "false", "POD_POOL_PY", "5"), "c");
        assertTrue(targets(s).values().stream().allMatch(t -> t == 0));
    }

    /**
     * Types and words are the configuration layer's (every one named at once, before anything starts); ranges and
     * formats are the controller's, again all at once.
     */
    @Test
    void everyBadVariableIsNamedAtOnce() {
        RuntimeException types = assertThrows(
                RuntimeException.class,
                () -> ControllerSettings.fromEnvironment(
                        Map.of("POD_POOL_PY", "many", "POD_POOL_ENABLED", "maybe", "KCR_LOCAL_CDS", "flase"), "c"));
        for (String name : List.of("POD_POOL_PY", "POD_POOL_ENABLED", "KCR_LOCAL_CDS")) {
            assertTrue(types.getMessage().contains(name), types.getMessage());
        }
        assertTrue(
                types.getMessage().contains(io.kubecoderun.registry.config.StrictBoolean.ACCEPTED),
                "the accepted words are named: " + types.getMessage());
        IllegalArgumentException ranges = assertThrows(
                IllegalArgumentException.class,
                () -> ControllerSettings.fromEnvironment(
                        Map.of(
                                "POD_POOL_PARALLEL_BATCH",
                                "0",
                                "K8S_NODE_SELECTOR",
                                "novalue",
                                "POD_POOL_GO",
                                "501",
                                "POD_POOL_MAX_AGE",
                                "0"),
                        "c"));
        for (String name : List.of("POD_POOL_PARALLEL_BATCH", "K8S_NODE_SELECTOR", "POD_POOL_GO", "POD_POOL_MAX_AGE")) {
            assertTrue(ranges.getMessage().contains(name), ranges.getMessage());
        }
    }

    @Test
    void everyLanguageOfTheRunnersTableHasAPoolSizeAndAnImageSetting() {
        Map<String, String> env = new java.util.HashMap<>();
        for (io.kubecoderun.runner.lang.Language language : io.kubecoderun.runner.lang.Languages.all()) {
            String id = language.id().toUpperCase(java.util.Locale.ROOT);
            env.put("POD_POOL_" + id, "3");
            env.put("LANG_IMAGE_" + id, "img/" + language.id());
        }
        assertEquals(
                io.kubecoderun.runner.lang.Languages.all().stream()
                        .map(io.kubecoderun.runner.lang.Language::id)
                        .toList(),
                io.kubecoderun.registry.config.PerLanguage.IDS,
                "the per-language settings follow the runner's table");
        ControllerSettings s = ControllerSettings.fromEnvironment(env, "c");
        for (PoolSpec pool : s.pools()) {
            assertEquals(3, pool.target(), pool.language());
            assertEquals("img/" + pool.language(), s.pods().image(pool.language()));
        }
    }

    @Test
    void booleansAcceptOneGrammarEverywhere() {
        for (String yes : List.of("true", "TRUE", "1", "yes", "on")) {
            assertTrue(
                    ControllerSettings.fromEnvironment(Map.of("POD_POOL_WARMUP_ON_STARTUP", yes), "c")
                            .warmupOnStartup(),
                    yes);
        }
        for (String no : List.of("false", "0", "No", "off")) {
            assertFalse(
                    ControllerSettings.fromEnvironment(Map.of("POD_POOL_WARMUP_ON_STARTUP", no), "c")
                            .warmupOnStartup(),
                    no);
        }
    }
}
