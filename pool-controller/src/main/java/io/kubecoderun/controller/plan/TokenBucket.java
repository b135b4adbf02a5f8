package io.kubecoderun.controller.plan;

import java.time.Clock;

/**
 * Paces pod creation: at most {@code capacity} at once, refilled at {@code perSecond}. A burst after a mass kill
 * is spread out instead of hitting the API server at once.
 */
public final class TokenBucket {
    private final Clock clock;
    private final double capacity;
    private final double perMilli;
    private double tokens;
    private long last;

    public TokenBucket(Clock clock, int capacity, double perSecond) {
        if (capacity < 1 || perSecond <= 0) {
            throw new IllegalArgumentException("capacity >= 1 and a positive rate are required");
        }
        this.clock = clock;
        this.capacity = capacity;
        this.perMilli = perSecond / 1000.0;
        this.tokens = capacity;
        this.last = clock.millis();
    }

    private void refill() {
        long now = clock.millis();
        tokens = Math.min(capacity, tokens + (now - last) * perMilli);
        last = now;
    }

    /** Whole tokens available now. */
    public synchronized int available() {
        refill();
        return (int) Math.floor(tokens);
    }

    /** Spends {@code n} tokens (the creations actually issued). */
    public synchronized void take(int n) {
        refill();
        tokens = Math.max(0, tokens - n);
    }
}
