package io.kubecoderun.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class InMemoryRateLimiterTest extends RateLimiterContract {
    @Override
    RateLimiter newLimiter(int perMinute, int burst) {
        return new InMemoryRateLimiter(perMinute, burst, System::nanoTime);
    }

    @Test
    void theWaitIsExactOnAControlledClock() {
        AtomicLong now = new AtomicLong();
        RateLimiter limiter = new InMemoryRateLimiter(6, 2, now::get);
        assertEquals(0, limiter.acquire("k"));
        assertEquals(0, limiter.acquire("k"));
        assertEquals(10, limiter.acquire("k"));
        now.addAndGet(7_500_000_000L);
        assertEquals(3, limiter.acquire("k"), "three quarters of a token back: 2.5 s left, rounded up");
        now.addAndGet(2_500_000_000L);
        assertEquals(0, limiter.acquire("k"));
        now.addAndGet(3_600_000_000_000L);
        assertEquals(0, limiter.acquire("k"));
        assertEquals(0, limiter.acquire("k"));
        assertEquals(10, limiter.acquire("k"), "an hour idle refills only up to the burst");
    }

    @Test
    void aZeroRateIsRefusedRatherThanDividingByZero() {
        assertThrows(IllegalArgumentException.class, () -> new InMemoryRateLimiter(0, 10, System::nanoTime));
    }
}
