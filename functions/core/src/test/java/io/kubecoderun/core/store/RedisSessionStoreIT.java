package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.registry.testing.RedisExtension;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisSessionStoreIT extends SessionStoreContract {
    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @Override
    SessionStore newStore() {
        return new RedisSessionStore(REDIS.client(), REDIS.prefix("s"), Clock.systemUTC());
    }

    @Test
    void aRedisThatIsDownIsUnavailableNotAMissingSession() throws Exception {
        Vertx other = Vertx.vertx();
        Redis nowhere = Redis.createClient(other, new RedisOptions().setConnectionString("redis://127.0.0.1:1"));
        try {
            SessionStore down = new RedisSessionStore(nowhere, "x:", Clock.systemUTC());
            assertThrows(DependencyUnavailableException.class, () -> down.find("abcdefghijklmnopqrstu", "key:a"));
            assertThrows(DependencyUnavailableException.class, down::ping);
        } finally {
            nowhere.close();
            other.close();
        }
    }
}
