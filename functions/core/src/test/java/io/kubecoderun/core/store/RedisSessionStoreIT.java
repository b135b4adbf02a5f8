package io.kubecoderun.core.store;

import io.kubecoderun.core.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertThrows;

class RedisSessionStoreIT extends SessionStoreContract {
    static RedisServer server;
    static Redis redis;
    static final AtomicInteger PREFIXES = new AtomicInteger();

    @BeforeAll
    static void startRedis() throws Exception {
        server = RedisServer.start();
        redis = server.client();
    }

    @AfterAll
    static void stopRedis() throws Exception {
        server.close();
    }

    @Override
    SessionStore newStore() {
        return new RedisSessionStore(redis, "s" + PREFIXES.incrementAndGet() + ":", Clock.systemUTC());
    }

    @Test
    void aRedisThatIsDownIsUnavailableNotAMissingSession() throws Exception {
        Vertx other = Vertx.vertx();
        Redis nowhere = Redis.createClient(other, new RedisOptions().setConnectionString("redis://127.0.0.1:1"));
        try {
            SessionStore down = new RedisSessionStore(nowhere, "x:", Clock.systemUTC());
            assertThrows(StoreException.Unavailable.class, () -> down.find("abcdefghijklmnopqrstu", "key:a"));
            assertThrows(StoreException.Unavailable.class, down::ping);
        } finally {
            nowhere.close();
            other.close();
        }
    }
}
