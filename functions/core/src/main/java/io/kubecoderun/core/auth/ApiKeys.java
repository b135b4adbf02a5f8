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

    public ApiKeys(Collection<String> keys) {
        for (String key : keys) {
            if (key != null && !key.isBlank()) {
                hashes.add(sha256(key.strip()));
            }
        }
    }

    /** Keys from {@code API_KEY}, {@code API_KEYS} (comma-separated) and {@code MASTER_API_KEY}. */
    public static ApiKeys fromSettings(String apiKey, String apiKeys, String masterKey) {
        List<String> keys = new ArrayList<>();
        keys.add(apiKey);
        if (apiKeys != null) {
            keys.addAll(List.of(apiKeys.split(",")));
        }
        keys.add(masterKey);
        return new ApiKeys(keys);
    }

    public boolean isEmpty() {
        return hashes.isEmpty();
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
        return matched == null ? Optional.empty()
                : Optional.of(new Principal("key:" + HexFormat.of().formatHex(matched).substring(0, FINGERPRINT),
                Principal.Kind.API_KEY));
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
    }
}
