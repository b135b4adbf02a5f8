package io.kubecoderun.core.state;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hot states of the embedded default in {@code KCR_DATA_DIR/kcr.db} (table {@code states}): the stored bytes with
 * their creation and expiry instants, on the injected clock, so a state outlives a restart until its TTL. A save
 * is one transaction: a process killed during it leaves the previous state, never part of the new one.
 */
public final class SqliteStateTier implements HotStateTier {
    private final EmbeddedDatabase db;
    private final Clock clock;

    public SqliteStateTier(EmbeddedDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public void put(String sessionId, byte[] stored, Instant createdAt, Duration ttl) {
        db.write(c -> {
            try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO states"
                    + " (session_id, bytes, created_ms, expires_ms) VALUES (?, ?, ?, ?)")) {
                st.setString(1, sessionId);
                st.setBytes(2, stored);
                st.setLong(3, createdAt.toEpochMilli());
                st.setLong(4, clock.instant().plus(ttl).toEpochMilli());
                return st.executeUpdate();
            }
        });
    }

    @Override
    public Optional<Entry> get(String sessionId) {
        return db.read(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT bytes, created_ms, expires_ms FROM states WHERE session_id = ? AND expires_ms > ?")) {
                st.setString(1, sessionId);
                st.setLong(2, clock.millis());
                try (ResultSet rs = st.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    return Optional.of(new Entry(
                            rs.getBytes(1), Instant.ofEpochMilli(rs.getLong(2)), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
        });
    }

    @Override
    public boolean delete(String sessionId) {
        return db.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM states WHERE session_id = ?")) {
                st.setString(1, sessionId);
                return st.executeUpdate() > 0;
            }
        });
    }

    @Override
    public List<String> expiringBefore(Instant until) {
        return db.read(c -> {
            List<String> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT session_id FROM states WHERE expires_ms > ? AND expires_ms < ? ORDER BY expires_ms")) {
                st.setLong(1, clock.millis());
                st.setLong(2, until.toEpochMilli());
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(rs.getString(1));
                    }
                }
            }
            return out;
        });
    }

    /** Deletes expired states; returns how many. */
    public int purgeExpired() {
        return db.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM states WHERE expires_ms <= ?")) {
                st.setLong(1, clock.millis());
                return st.executeUpdate();
            }
        });
    }
}
