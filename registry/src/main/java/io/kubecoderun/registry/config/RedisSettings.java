package io.kubecoderun.registry.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

/**
 * The registry's Redis settings beyond the connection. Where Redis is ({@code REDIS_URL}, or {@code REDIS_HOST},
 * {@code REDIS_PORT}, {@code REDIS_PASSWORD}) is read once, by {@link RedisNames}, into the
 * {@code quarkus-redis-client} extension's own settings; with none of them set there is no Redis client at all.
 */
@ConfigMapping(prefix = "")
public interface RedisSettings {

    /** Prepended to every key, so several installations can share one Redis. */
    @WithName("REDIS_KEY_PREFIX")
    @WithDefault("kcr:")
    String keyPrefix();
}
