package io.kubecoderun.core.auth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * API keys, held only as SHA-256 hashes and compared in constant time: every stored hash is compared, whatever
 * matched, so the time taken says nothing about how close a guess was. A key's principal is named after a short
 * fingerprint of its hash, never the key.
 */
public final class ApiKeys {
    /** Hex characters of the hash used as the key's public name. */
    private static final int FINGERPRINT = 12;

    private final List<byte[]> hashes = new ArrayList<>();
    private final byte[] masterHash;
    private final StoredKeys stored;

    public ApiKeys(Collection<String> keys) {
        this(keys, null, null);
    }

    /**
     * @param keys   configured keys (the master key among them or not)
     * @param master {@code MASTER_API_KEY}, which alone may use the admin API; null for none
     * @param stored keys created through the admin API; null for none
     */
    public ApiKeys(Collection<String> keys, String master, StoredKeys stored) {
        for (String key : keys) {
            if (key != null && !key.isBlank()) {
                hashes.add(sha256(key.strip()));
            }
        }
        this.masterHash = master == null || master.isBlank() ? null : sha256(master.strip());
        if (masterHash != null) {
            hashes.add(masterHash);
        }
        this.stored = stored;
    }

    /** Keys from {@code API_KEY}, {@code API_KEYS} (comma-separated), {@code MASTER_API_KEY} and the store. */
    public static ApiKeys fromSettings(String apiKey, String apiKeys, String masterKey, StoredKeys stored) {
        List<String> keys = new ArrayList<>();
        keys.add(apiKey);
        if (apiKeys != null) {
            keys.addAll(List.of(apiKeys.split(",")));
        }
        return new ApiKeys(keys, masterKey, stored);
    }

    /** No configured key (stored keys can only exist where a master key created them). */
    public boolean isEmpty() {
        return hashes.isEmpty();
    }

    public boolean hasMaster() {
        return masterHash != null;
    }

    /** Whether {@code presented} is the master key, compared in constant time. */
    public boolean isMaster(String presented) {
        return masterHash != null && presented != null && MessageDigest.isEqual(masterHash, sha256(presented.strip()));
    }

    public Optional<StoredKeys> stored() {
        return Optional.ofNullable(stored);
    }

    public Optional<Principal> authenticate(String presented) {
        if (presented == null || presented.isBlank()) {
            return Optional.empty();
        }
        byte[] hash = sha256(presented.strip());
        byte[] matched = null;
        for (byte[] stored : hashes) {
            if (MessageDigest.isEqual(stored, hash)) {
                matched = stored;
            }
        }
        if (matched != null) {
            return Optional.of(new Principal("key:" + fingerprint(matched), Principal.Kind.API_KEY));
        }
        // A key of the store: found by its hash (an exact lookup, so its timing tells nothing of near misses).
        return stored == null
                ? Optional.empty()
                : stored.findByHash(hash).map(k -> new Principal("key:" + k.id(), Principal.Kind.API_KEY));
    }

    /** A key's public name: the first hex characters of its hash. */
    static String fingerprint(byte[] hash) {
        return HexFormat.of().formatHex(hash).substring(0, FINGERPRINT);
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
