package io.kubecoderun.core.ratelimit;

/**
 * Requests per principal: a token bucket of {@code burst} tokens refilled at {@code perMinute}, one token per
 * authenticated request. Over the limit the API answers 429 with {@code retry_after_seconds} and Retry-After.
 */
public interface RateLimiter {
    /** Admits every request (the limit switched off with {@code RATE_LIMIT_PER_MINUTE=0}). */
    RateLimiter UNLIMITED = key -> 0;

    /**
     * Takes one token from the bucket of {@code key}.
     *
     * @return 0 when admitted, else the whole seconds (at least 1) until a request would be
     */
    long acquire(String key);

    /** Whole seconds, at least one, for a wait in milliseconds. */
    static long seconds(double waitMillis) {
        return Math.max(1, (long) Math.ceil(waitMillis / 1000.0));
    }
}
