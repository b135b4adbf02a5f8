package io.kubecoderun.core.ratelimit;

import io.kubecoderun.core.testing.RedisServer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.kubecoderun.core.redis.BlockingRedis;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RedisRateLimiterIT extends RateLimiterContract {
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
    RateLimiter newLimiter(int perMinute, int burst) {
        return new RedisRateLimiter(redis, "rl" + PREFIXES.incrementAndGet() + ":", perMinute, burst);
    }

    @Test
    void replicasShareOneBucketAndItExpiresOnceFull() {
        String prefix = "shared" + PREFIXES.incrementAndGet() + ":";
        RateLimiter one = new RedisRateLimiter(redis, prefix, 60, 2);
        RateLimiter other = new RedisRateLimiter(redis, prefix, 60, 2);
        assertEquals(0, one.acquire("dave"));
        assertEquals(0, other.acquire("dave"));
        assertTrue(one.acquire("dave") > 0, "the second replica spent the last token");
        long ttl = new BlockingRedis(redis).send(Request.cmd(Command.PTTL).arg(prefix + "rl:dave")).toLong();
        assertTrue(ttl > 0 && ttl <= 3_000, "the bucket lives until it would be full again (2 s + 1 s): " + ttl);
    }
}
