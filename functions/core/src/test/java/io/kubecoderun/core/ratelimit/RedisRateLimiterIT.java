package io.kubecoderun.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.registry.redis.BlockingRedis;
import io.kubecoderun.registry.testing.RedisExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisRateLimiterIT extends RateLimiterContract {
    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @Override
    RateLimiter newLimiter(int perMinute, int burst) {
        return new RedisRateLimiter(REDIS.client(), REDIS.prefix("rl"), perMinute, burst);
    }

    @Test
    void replicasShareOneBucketAndItExpiresOnceFull() {
        String prefix = REDIS.prefix("shared");
        RateLimiter one = new RedisRateLimiter(REDIS.client(), prefix, 60, 2);
        RateLimiter other = new RedisRateLimiter(REDIS.client(), prefix, 60, 2);
        assertEquals(0, one.acquire("dave"));
        assertEquals(0, other.acquire("dave"));
        assertTrue(one.acquire("dave") > 0, "the second replica spent the last token");
        long ttl = new BlockingRedis(REDIS.client())
                .send(Request.cmd(Command.PTTL).arg(prefix + "rl:dave"))
                .toLong();
        assertTrue(ttl > 0 && ttl <= 3_000, "the bucket lives until it would be full again (2 s + 1 s): " + ttl);
    }
}
