package io.kubecoderun.core.store;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import io.kubecoderun.core.ids.Ids;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sessions of the embedded default in {@code KCR_DATA_DIR/kcr.db} (tables {@code sessions}, {@code entities},
 * {@code files}), so they outlive a restart. Expiry is a stored instant on the injected clock: an expired session
 * is never returned, and {@link #purgeExpired} (at start-up and periodically) deletes it with its file index; the
 * bytes then have no record and the sweep removes them. Same contract as the memory and Redis stores.
 */
public final class SqliteSessionStore implements SessionStore {
    private static final String FILE_COLUMNS = "id, session_id, name, size, etag, content_type, last_modified, kind,"
            + " version, read_only, modified_from_id, modified_from_session_id";

    private final EmbeddedDatabase db;
    private final Clock clock;

    public SqliteSessionStore(EmbeddedDatabase db, Clock clock) {
        this.db = db;
        this.clock = clock;
    }

    @Override
    public Session create(String owner, String entityId, Duration ttl) {
        Instant now = clock.instant();
        Session session = new Session(Ids.next(), owner, entityId, now, now.plus(ttl));
        db.write(c -> {
            try (PreparedStatement st = c.prepareStatement(
                    "INSERT INTO sessions (id, owner, entity, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)")) {
                st.setString(1, session.id());
                st.setString(2, owner);
                st.setString(3, entityId);
                st.setLong(4, now.toEpochMilli());
                st.setLong(5, session.expiresAt().toEpochMilli());
                st.executeUpdate();
            }
            if (entityId != null) {
                try (PreparedStatement st = c.prepareStatement(
                        "INSERT OR REPLACE INTO entities (owner, entity, session_id) VALUES (?, ?, ?)")) {
                    st.setString(1, owner);
                    st.setString(2, entityId);
                    st.setString(3, session.id());
                    st.executeUpdate();
                }
            }
            return null;
        });
        return session;
    }

    private Optional<Session> live(Connection c, String id) throws SQLException {
        try (PreparedStatement st = c.prepareStatement(
                "SELECT owner, entity, created_ms, expires_ms FROM sessions WHERE id = ? AND expires_ms > ?")) {
            st.setString(1, id);
            st.setLong(2, clock.millis());
            try (ResultSet rs = st.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Session(
                        id,
                        rs.getString(1),
                        rs.getString(2),
                        Instant.ofEpochMilli(rs.getLong(3)),
                        Instant.ofEpochMilli(rs.getLong(4))));
            }
        }
    }

    @Override
    public Optional<Session> find(String id, String owner) {
        if (id == null || !Ids.acceptable(id)) {
            return Optional.empty();
        }
        return db.read(c -> live(c, id)).filter(s -> s.owner().equals(owner));
    }

    @Override
    public Optional<Session> findByEntity(String owner, String entityId) {
        Optional<String> id = db.read(c -> {
            try (PreparedStatement st =
                    c.prepareStatement("SELECT session_id FROM entities WHERE owner = ? AND entity = ?")) {
                st.setString(1, owner);
                st.setString(2, entityId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.<String>empty();
                }
            }
        });
        return id.flatMap(sid -> find(sid, owner));
    }

    @Override
    public void touch(String id, Duration ttl) {
        db.write(c -> {
            try (PreparedStatement st =
                    c.prepareStatement("UPDATE sessions SET expires_ms = ? WHERE id = ? AND expires_ms > ?")) {
                long now = clock.millis();
                st.setLong(1, now + ttl.toMillis());
                st.setString(2, id);
                st.setLong(3, now);
                return st.executeUpdate();
            }
        });
    }

    @Override
    public void delete(String id) {
        db.write(c -> {
            deleteSession(c, id);
            return null;
        });
    }

    private static void deleteSession(Connection c, String id) throws SQLException {
        // The entity index only if it still points at this session: a newer session of the entity keeps it.
        try (PreparedStatement st = c.prepareStatement("DELETE FROM entities WHERE session_id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("DELETE FROM files WHERE session_id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        }
        try (PreparedStatement st = c.prepareStatement("DELETE FROM sessions WHERE id = ?")) {
            st.setString(1, id);
            st.executeUpdate();
        }
    }

    @Override
    public void putFile(FileRecord file) {
        db.write(c -> {
            if (live(c, file.sessionId()).isEmpty()) {
                throw new StoreException.NotFound("session " + file.sessionId());
            }
            try (PreparedStatement st = c.prepareStatement("INSERT OR REPLACE INTO files (" + FILE_COLUMNS
                    + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                st.setString(1, file.id());
                st.setString(2, file.sessionId());
                st.setString(3, file.name());
                st.setLong(4, file.size());
                st.setString(5, file.etag());
                st.setString(6, file.contentType());
                if (file.lastModified() == null) {
                    st.setNull(7, Types.VARCHAR);
                } else {
                    st.setString(7, file.lastModified().toString());
                }
                st.setString(8, file.kind());
                st.setString(9, file.version());
                st.setInt(10, file.readOnly() ? 1 : 0);
                st.setString(11, file.modifiedFromId());
                st.setString(12, file.modifiedFromSessionId());
                st.executeUpdate();
            }
            return null;
        });
    }

    private static FileRecord record(ResultSet rs) throws SQLException {
        String modified = rs.getString(7);
        return new FileRecord(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getLong(4),
                rs.getString(5),
                rs.getString(6),
                modified == null ? null : Instant.parse(modified),
                rs.getString(8),
                rs.getString(9),
                rs.getInt(10) != 0,
                rs.getString(11),
                rs.getString(12));
    }

    @Override
    public Optional<FileRecord> file(String sessionId, String fileId) {
        return db.read(c -> {
            if (live(c, sessionId).isEmpty()) {
                return Optional.empty();
            }
            try (PreparedStatement st =
                    c.prepareStatement("SELECT " + FILE_COLUMNS + " FROM files WHERE session_id = ? AND id = ?")) {
                st.setString(1, sessionId);
                st.setString(2, fileId);
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? Optional.of(record(rs)) : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<FileRecord> files(String sessionId) {
        return db.read(c -> {
            List<FileRecord> out = new ArrayList<>();
            if (live(c, sessionId).isEmpty()) {
                return out;
            }
            try (PreparedStatement st = c.prepareStatement(
                    "SELECT " + FILE_COLUMNS + " FROM files WHERE session_id = ? ORDER BY name, id")) {
                st.setString(1, sessionId);
                try (ResultSet rs = st.executeQuery()) {
                    while (rs.next()) {
                        out.add(record(rs));
                    }
                }
            }
            return out;
        });
    }

    @Override
    public boolean removeFile(String sessionId, String fileId) {
        return db.write(c -> {
            if (live(c, sessionId).isEmpty()) {
                return false;
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM files WHERE session_id = ? AND id = ?")) {
                st.setString(1, sessionId);
                st.setString(2, fileId);
                return st.executeUpdate() == 1;
            }
        });
    }

    @Override
    public void ping() {
        db.ping();
    }

    @Override
    public SessionCensus census() {
        return db.read(c -> {
            long now = clock.millis();
            long sessions;
            try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM sessions WHERE expires_ms > ?")) {
                st.setLong(1, now);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    sessions = rs.getLong(1);
                }
            }
            try (PreparedStatement st = c.prepareStatement("SELECT count(*), coalesce(sum(f.size), 0) FROM files f"
                    + " JOIN sessions s ON s.id = f.session_id WHERE s.expires_ms > ?")) {
                st.setLong(1, now);
                try (ResultSet rs = st.executeQuery()) {
                    rs.next();
                    return new SessionCensus(sessions, rs.getLong(1), rs.getLong(2));
                }
            }
        });
    }

    /** Deletes every expired session with its file index and entity entry; returns how many sessions. */
    public int purgeExpired() {
        return db.write(c -> {
            long now = clock.millis();
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM entities WHERE session_id IN (SELECT id FROM sessions WHERE expires_ms <= ?)")) {
                st.setLong(1, now);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement(
                    "DELETE FROM files WHERE session_id IN (SELECT id FROM sessions WHERE expires_ms <= ?)")) {
                st.setLong(1, now);
                st.executeUpdate();
            }
            try (PreparedStatement st = c.prepareStatement("DELETE FROM sessions WHERE expires_ms <= ?")) {
                st.setLong(1, now);
                return st.executeUpdate();
            }
        });
    }

    /** The object keys ({@link FileRecord#objectKey}) of every file record, expired sessions' included. */
    public Set<String> referencedObjectKeys() {
        return db.read(c -> {
            Set<String> keys = new HashSet<>();
            try (PreparedStatement st = c.prepareStatement("SELECT session_id, id FROM files");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(FileRecord.objectKey(rs.getString(1), rs.getString(2)));
                }
            }
            return keys;
        });
    }

    /** Drops the record of a file whose bytes are gone (found by the sweep); true when one was dropped. */
    public boolean dropRecord(String sessionId, String fileId) {
        return db.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM files WHERE session_id = ? AND id = ?")) {
                st.setString(1, sessionId);
                st.setString(2, fileId);
                return st.executeUpdate() == 1;
            }
        });
    }

    /** Every file record (the sweep's check for records whose bytes are missing). */
    public List<FileRecord> allFiles() {
        return db.read(c -> {
            List<FileRecord> out = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT " + FILE_COLUMNS + " FROM files");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    out.add(record(rs));
                }
            }
            return out;
        });
    }
}
