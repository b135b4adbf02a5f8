package io.kubecoderun.core.auth;

import io.kubecoderun.core.testing.RedisServer;
import io.vertx.redis.client.Redis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RedisStoredKeysIT extends StoredKeysContract {
    static RedisServer server;
    static Redis redis;
    static final AtomicInteger PREFIXES = new AtomicInteger();
    String prefix;

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
    StoredKeys newStore() {
        prefix = "k" + PREFIXES.incrementAndGet() + ":";
        return new RedisStoredKeys(redis, prefix);
    }

    @Test
    void anotherReplicaSeesANewKeyAndItsRevocationAtOnce() {
        StoredKeys other = new RedisStoredKeys(redis, prefix);
        StoredKeys.CreatedKey created = store.create("shared", T0);
        ApiKeys elsewhere = new ApiKeys(List.of(), null, other);
        assertEquals("key:" + created.stored().id(), elsewhere.authenticate(created.key()).orElseThrow().id());
        other.delete(created.stored().id());
        assertEquals(true, new ApiKeys(List.of(), null, store).authenticate(created.key()).isEmpty());
    }
}
