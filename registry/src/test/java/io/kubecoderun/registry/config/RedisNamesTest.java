package io.kubecoderun.registry.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the original Redis names reach the Redis extension, and the registry's and pools' own settings. */
class RedisNamesTest {

    private static SmallRyeConfig config(Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new RedisNames())
                .withSources(new PropertiesConfigSource(env, "environment", 300))
                .withMapping(RedisSettings.class)
                .withMapping(PoolSettings.class)
                .build();
    }

    @Test
    void withoutAnyRedisNameThereAreNoHostsSoNoClient() {
        assertNull(config(Map.of()).getRawValue("quarkus.redis.hosts"));
        assertNull(config(Map.of()).getRawValue("quarkus.redis.password"));
        assertEquals(
                "kcr:", config(Map.of()).getConfigMapping(RedisSettings.class).keyPrefix());
    }

    @Test
    void redisUrlWinsOverTheParts() {
        assertEquals(
                "redis://a:1/2",
                config(Map.of("REDIS_URL", "redis://a:1/2", "REDIS_HOST", "b")).getRawValue("quarkus.redis.hosts"));
    }

    @Test
    void hostPortAndPasswordMakeTheHostsAndThePassword() {
        SmallRyeConfig config = config(Map.of("REDIS_HOST", "redis", "REDIS_PASSWORD", "s3cret"));
        assertEquals("redis://redis:6379", config.getRawValue("quarkus.redis.hosts"));
        assertEquals("s3cret", config.getRawValue("quarkus.redis.password"));
        assertEquals(
                "redis://redis:7000",
                config(Map.of("REDIS_HOST", "redis", "REDIS_PORT", "7000")).getRawValue("quarkus.redis.hosts"));
    }

    @Test
    void anExplicitExtensionSettingWinsAndABadPortIsRefused() {
        assertEquals(
                "redis://x:1",
                config(Map.of("REDIS_URL", "redis://a:1", "quarkus.redis.hosts", "redis://x:1"))
                        .getRawValue("quarkus.redis.hosts"));
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> config(Map.of("REDIS_HOST", "r", "REDIS_PORT", "six"))
                        .getRawValue("quarkus.redis.hosts"));
        assertTrue(e.getMessage().contains("REDIS_PORT"), e.getMessage());
    }

    @Test
    void theKeyPrefixIsReadUnderItsOriginalName() {
        assertEquals(
                "team-a:",
                config(Map.of("REDIS_KEY_PREFIX", "team-a:"))
                        .getConfigMapping(RedisSettings.class)
                        .keyPrefix());
    }

    @Test
    void poolSettingsDefaultsNamesAndOffSwitch() {
        PoolSettings defaults = config(Map.of()).getConfigMapping(PoolSettings.class);
        assertEquals(5, defaults.target("py"));
        assertEquals(2, defaults.target("js"));
        assertEquals(2, defaults.target("bash"));
        assertEquals(0, defaults.target("go"));
        assertTrue(defaults.jobOnExhaustion());
        assertEquals(PoolSettings.Platform.KUBERNETES, defaults.platform());
        PoolSettings set = config(
                        Map.of("POD_POOL_BASH", "3", "POD_POOL_EXHAUSTION_TRIGGER", "off", "KCR_PLATFORM", "local"))
                .getConfigMapping(PoolSettings.class);
        assertEquals(3, set.target("bash"));
        assertEquals(false, set.jobOnExhaustion());
        assertEquals(PoolSettings.Platform.LOCAL, set.platform());
        assertEquals(
                0,
                config(Map.of("POD_POOL_ENABLED", "0", "POD_POOL_PY", "9"))
                        .getConfigMapping(PoolSettings.class)
                        .target("py"),
                "switched off: every language through Jobs");
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> config(Map.of("POD_POOL_EXHAUSTION_TRIGGER", "sometimes")));
        assertTrue(e.getMessage().contains("POD_POOL_EXHAUSTION_TRIGGER"), e.getMessage());
    }
}
