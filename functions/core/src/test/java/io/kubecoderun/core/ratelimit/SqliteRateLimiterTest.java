package io.kubecoderun.core.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRateLimiterTest extends RateLimiterContract {
    @TempDir
    Path temp;

    final List<EmbeddedDatabase> opened = new ArrayList<>();

    EmbeddedDatabase open() {
        EmbeddedDatabase db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        opened.add(db);
        return db;
    }

    @Override
    RateLimiter newLimiter(int perMinute, int burst) {
        return new SqliteRateLimiter(open(), perMinute, burst, System::currentTimeMillis);
    }

    @AfterEach
    void close() {
        opened.forEach(EmbeddedDatabase::close);
    }

    @Test
    void anEmptiedBucketStaysEmptyAcrossAReopenAndRefillsOnTheWallClock() {
        AtomicLong now = new AtomicLong(1_800_000_000_000L);
        EmbeddedDatabase first = open();
        RateLimiter limiter = new SqliteRateLimiter(first, 6, 2, now::get);
        assertEquals(0, limiter.acquire("k"));
        assertEquals(0, limiter.acquire("k"));
        assertEquals(10, limiter.acquire("k"));
        first.close();
        opened.remove(first);

        now.addAndGet(7_500);
        RateLimiter restarted = new SqliteRateLimiter(open(), 6, 2, now::get);
        assertEquals(3, restarted.acquire("k"), "a restart does not refill the bucket: 2.5 s left");
        now.addAndGet(2_500);
        assertEquals(0, restarted.acquire("k"));
        assertEquals(0, restarted.acquire("other"), "another principal's bucket is its own");
    }

    @Test
    void refilledBucketsArePruned() {
        AtomicLong now = new AtomicLong(1_800_000_000_000L);
        SqliteRateLimiter limiter = new SqliteRateLimiter(open(), 60, 5, now::get);
        limiter.acquire("a");
        limiter.acquire("b");
        assertEquals(0, limiter.prune(now.get()), "not yet refilled");
        now.addAndGet(1_000);
        assertEquals(2, limiter.prune(now.get()));
    }
}
