package io.kubecoderun.core.ratelimit;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** The embedded default's buckets, in this process. Idle (full) buckets are dropped once there are many. */
public final class InMemoryRateLimiter implements RateLimiter {
    private static final int PRUNE_ABOVE = 10_000;

    private record Bucket(double tokens, long atNanos, double waitMillis) {}

    private final ConcurrentHashMap<String, Bucket> buckets = new ConcurrentHashMap<>();
    private final double tokensPerNano;
    private final int burst;
    private final LongSupplier nanoTime;

    public InMemoryRateLimiter(int perMinute, int burst, LongSupplier nanoTime) {
        if (perMinute <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive (RateLimiter.UNLIMITED switches off)");
        }
        this.tokensPerNano = perMinute / 60e9;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    @Override
    public long acquire(String key) {
        long now = nanoTime.getAsLong();
        if (buckets.size() > PRUNE_ABOVE) {
            buckets.values().removeIf(b -> b.tokens() + (now - b.atNanos()) * tokensPerNano >= burst);
        }
        Bucket bucket = buckets.compute(key, (k, old) -> {
            double tokens = old == null ? burst : Math.min(burst, old.tokens() + (now - old.atNanos()) * tokensPerNano);
            return tokens >= 1
                    ? new Bucket(tokens - 1, now, 0)
                    : new Bucket(tokens, now, (1 - tokens) / tokensPerNano / 1e6);
        });
        return bucket.waitMillis() == 0 ? 0 : RateLimiter.seconds(bucket.waitMillis());
    }
}
