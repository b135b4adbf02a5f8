package io.kubecoderun.core.auth;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Stored keys of the embedded default in {@code KCR_DATA_DIR/kcr.db} (table {@code api_keys}: the SHA-256 of the
 * key, its id, name and creation time; never the key), so a key created through the admin API survives a restart
 * and a revoked one stays revoked.
 */
public final class SqliteStoredKeys implements StoredKeys {
    private final EmbeddedDatabase db;

    public SqliteStoredKeys(EmbeddedDatabase db) {
        this.db = db;
    }

    @Override
    public CreatedKey create(String name, Instant now) {
        String key = StoredKeys.newKey();
        byte[] hash = ApiKeys.sha256(key);
        StoredKey stored = new StoredKey(ApiKeys.fingerprint(hash), name, now);
        db.write(c -> {
            try (PreparedStatement count = c.prepareStatement("SELECT count(*) FROM api_keys");
                    ResultSet rs = count.executeQuery()) {
                rs.next();
                if (rs.getLong(1) >= MAX_KEYS) {
                    throw new LimitReachedException();
                }
            }
            try (PreparedStatement st =
                    c.prepareStatement("INSERT INTO api_keys (hash, id, name, created_at) VALUES (?, ?, ?, ?)")) {
                st.setString(1, HexFormat.of().formatHex(hash));
                st.setString(2, stored.id());
                st.setString(3, name);
                st.setString(4, now.toString());
                return st.executeUpdate();
            }
        });
        return new CreatedKey(stored, key);
    }

    @Override
    public Optional<StoredKey> findByHash(byte[] hash) {
        return db.read(c -> {
            try (PreparedStatement st =
                    c.prepareStatement("SELECT id, name, created_at FROM api_keys WHERE hash = ?")) {
                st.setString(1, HexFormat.of().formatHex(hash));
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next()
                            ? Optional.of(
                                    new StoredKey(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3))))
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<StoredKey> list() {
        return db.read(c -> {
            List<StoredKey> keys = new ArrayList<>();
            try (PreparedStatement st = c.prepareStatement("SELECT id, name, created_at FROM api_keys");
                    ResultSet rs = st.executeQuery()) {
                while (rs.next()) {
                    keys.add(new StoredKey(rs.getString(1), rs.getString(2), Instant.parse(rs.getString(3))));
                }
            }
            keys.sort(java.util.Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id));
            return keys;
        });
    }

    @Override
    public boolean delete(String id) {
        return db.write(c -> {
            try (PreparedStatement st = c.prepareStatement("DELETE FROM api_keys WHERE id = ?")) {
                st.setString(1, id);
                return st.executeUpdate() > 0;
            }
        });
    }
}
