package io.kubecoderun.core.auth;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * API keys created through the admin API, kept only as SHA-256 hashes (a key is 250 random bits, so a plain hash
 * is as good as a slow one). A key's id is the fingerprint its principal is named after ({@code key:<id>}), so a
 * stored key and a configured one are the same kind of caller. Redis in production (every replica sees a new or
 * revoked key at once), memory in the embedded default.
 */
public interface StoredKeys {
    /** Keys the store holds at most: an admin script run in a loop cannot fill Redis. */
    int MAX_KEYS = 1000;

    /** What the admin API lists: never the key or its hash. */
    record StoredKey(String id, String name, Instant createdAt) {}

    /** A new key: the only time its plaintext exists outside the caller. */
    record CreatedKey(StoredKey stored, String key) {}

    /** Thrown by {@link #create} at {@link #MAX_KEYS}. */
    final class LimitReachedException extends RuntimeException {
        public LimitReachedException() {
            super("the store holds " + MAX_KEYS + " keys; delete one first");
        }
    }

    CreatedKey create(String name, Instant now);

    /** The key whose SHA-256 is {@code hash}, if stored. */
    Optional<StoredKey> findByHash(byte[] hash);

    List<StoredKey> list();

    /** False when no key has that id. */
    boolean delete(String id);

    /** A fresh key: {@code kcr_} and 42 characters of [A-Za-z0-9_-] from SecureRandom (about 250 bits). */
    static String newKey() {
        return "kcr_" + io.kubecoderun.core.ids.Ids.next() + io.kubecoderun.core.ids.Ids.next();
    }
}
