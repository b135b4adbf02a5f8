package io.kubecoderun.core.ratelimit;

import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Buckets shared by every replica of every function: one Lua script per request (one round trip), on Redis' own
 * clock so replicas' clocks need not agree. A Redis that is down makes the request a 503, like every other
 * dependency failure.
 */
public final class RedisRateLimiter implements RateLimiter {
    private static final String SCRIPT = load();

    private final BlockingRedis redis;
    private final String prefix;
    private final double tokensPerMilli;
    private final int burst;

    public RedisRateLimiter(Redis redis, String prefix, int perMinute, int burst) {
        if (perMinute <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive (RateLimiter.UNLIMITED switches off)");
        }
        this.redis = new BlockingRedis(redis);
        this.prefix = prefix;
        this.tokensPerMilli = perMinute / 60_000.0;
        this.burst = burst;
    }

    @Override
    public long acquire(String key) {
        long waitMillis = redis.send(Request.cmd(Command.EVAL)
                        .arg(SCRIPT)
                        .arg(1)
                        .arg(prefix + "rl:" + key)
                        .arg(Double.toString(tokensPerMilli))
                        .arg(burst))
                .toLong();
        return waitMillis <= 0 ? 0 : RateLimiter.seconds(waitMillis);
    }

    private static String load() {
        try (InputStream in = RedisRateLimiter.class.getResourceAsStream("ratelimit.lua")) {
            if (in == null) {
                throw new IllegalStateException("ratelimit.lua missing from the classpath");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
