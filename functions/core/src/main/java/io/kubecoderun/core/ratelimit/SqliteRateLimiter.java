package io.kubecoderun.core.ratelimit;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The embedded default's buckets in {@code KCR_DATA_DIR/kcr.db} (table {@code rate_buckets}: tokens and the
 * wall-clock millisecond they were counted at), so a restart neither refills an emptied bucket nor forgets a
 * principal's use. One transaction per request. Buckets that have refilled are deleted every so often: a full
 * bucket and a missing one mean the same.
 */
public final class SqliteRateLimiter implements RateLimiter {
    private static final int PRUNE_EVERY = 1000;

    private final EmbeddedDatabase db;
    private final double tokensPerMilli;
    private final int burst;
    private final LongSupplier millis;
    private final AtomicLong calls = new AtomicLong();

    public SqliteRateLimiter(EmbeddedDatabase db, int perMinute, int burst, LongSupplier millis) {
        if (perMinute <= 0 || burst <= 0) {
            throw new IllegalArgumentException("rate and burst must be positive (RateLimiter.UNLIMITED switches off)");
        }
        this.db = db;
        this.tokensPerMilli = perMinute / 60_000.0;
        this.burst = burst;
        this.millis = millis;
    }

    @Override
    public long acquire(String key) {
        long now = millis.getAsLong();
        if (calls.incrementAndGet() % PRUNE_EVERY == 0) {
            prune(now);
        }
        double waitMillis = db.write(c -> {
            double tokens = burst;
            try (PreparedStatement st = c.prepareStatement("SELECT tokens, at_ms FROM rate_buckets WHERE key = ?")) {
                st.setString(1, key);
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        // A clock stepped back counts as no time passed.
                        tokens = Math.min(burst, rs.getDouble(1) + Math.max(0, now - rs.getLong(2)) * tokensPerMilli);
                    }
                }
            }
            double wait = 0;
            if (tokens >= 1) {
                tokens -= 1;
            } else {
                wait = (1 - tokens) / tokensPerMilli;
            }
            try (PreparedStatement st =
                    c.prepareStatement("INSERT OR REPLACE INTO rate_buckets (key, tokens, at_ms) VALUES (?, ?, ?)")) {
                st.setString(1, key);
                st.setDouble(2, tokens);
                st.setLong(3, now);
                st.executeUpdate();
            }
            return wait;
        });
        return waitMillis == 0 ? 0 : RateLimiter.seconds(waitMillis);
    }

    /** Deletes buckets that have refilled by {@code now}; returns how many. */
    public int prune(long now) {
        return db.write(c -> {
            try (PreparedStatement st =
                    c.prepareStatement("DELETE FROM rate_buckets WHERE tokens + (? - at_ms) * ? >= ?")) {
                st.setLong(1, now);
                st.setDouble(2, tokensPerMilli);
                st.setInt(3, burst);
                return st.executeUpdate();
            }
        });
    }
}
