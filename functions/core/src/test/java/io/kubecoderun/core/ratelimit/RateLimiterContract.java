package io.kubecoderun.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What every rate limiter does, on the real clock of its store (rates slow enough for a loaded machine). */
abstract class RateLimiterContract {
    abstract RateLimiter newLimiter(int perMinute, int burst);

    @Test
    void theBurstIsAdmittedThenTheNextRequestIsRefusedWithTheWait() {
        RateLimiter limiter = newLimiter(6, 3);
        for (int i = 0; i < 3; i++) {
            assertEquals(0, limiter.acquire("alice"), "request " + i + " of the burst");
        }
        long retry = limiter.acquire("alice");
        assertTrue(retry >= 9 && retry <= 10, "one token per 10 s: retry after about 10 s, got " + retry);
        assertTrue(limiter.acquire("alice") > 0, "a refused request takes no token and is refused again");
    }

    @Test
    void principalsHaveTheirOwnBuckets() {
        RateLimiter limiter = newLimiter(6, 1);
        assertEquals(0, limiter.acquire("alice"));
        assertTrue(limiter.acquire("alice") > 0);
        assertEquals(0, limiter.acquire("bob"), "alice's use must not limit bob");
    }

    @Test
    void tokensComeBackAtTheRate() throws InterruptedException {
        RateLimiter limiter = newLimiter(120, 1);
        assertEquals(0, limiter.acquire("carol"));
        assertEquals(1, limiter.acquire("carol"), "two per second: the next token within a second");
        Thread.sleep(1_100);
        assertEquals(0, limiter.acquire("carol"), "after 1.1 s two tokens have come back, capped at the burst");
        assertTrue(limiter.acquire("carol") > 0, "the burst caps what accumulates");
    }
}
