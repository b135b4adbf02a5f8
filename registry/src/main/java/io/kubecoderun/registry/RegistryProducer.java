package io.kubecoderun.registry;

import io.kubecoderun.registry.redis.RedisBackend;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.logging.Logger;

/**
 * The process's one lease registry: in Redis when there is one, else in memory, so the standalone app's
 * controller and functions share it within the process.
 */
@ApplicationScoped
public class RegistryProducer {
    private static final Logger LOG = Logger.getLogger(RegistryProducer.class.getName());

    @Produces
    @Singleton
    public LeaseRegistry registry(RedisBackend redis) {
        return redis.client()
                .<LeaseRegistry>map(client -> new RedisLeaseRegistry(client, redis.keyPrefix()))
                .orElseGet(() -> {
                    LOG.info("event=registry mode=memory detail=\"no REDIS_URL or REDIS_HOST: sandboxes are leased "
                            + "within this process\"");
                    return new InMemoryLeaseRegistry();
                });
    }
}
