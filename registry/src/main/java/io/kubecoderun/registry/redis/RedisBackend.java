package io.kubecoderun.registry.redis;

import io.kubecoderun.registry.config.RedisSettings;
import io.quarkus.arc.InjectableInstance;
import io.vertx.redis.client.Redis;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Optional;

/**
 * The process's Redis, when there is one: the {@code quarkus-redis-client} extension's pooled client (its health
 * check and metrics come with it), active only where {@code REDIS_URL} or {@code REDIS_HOST} is set. Every store
 * and the registry ask here, so "is there a Redis" is decided in one place. The extension closes the client.
 */
@ApplicationScoped
public class RedisBackend {
    @Inject
    InjectableInstance<Redis> redis;

    @Inject
    RedisSettings settings;

    /** The client, or empty in the embedded default (an inactive client must never be touched: it is not built). */
    public Optional<Redis> client() {
        return redis.isResolvable() && redis.getHandle().getBean().isActive()
                ? Optional.of(redis.get())
                : Optional.empty();
    }

    public String keyPrefix() {
        return settings.keyPrefix();
    }
}
