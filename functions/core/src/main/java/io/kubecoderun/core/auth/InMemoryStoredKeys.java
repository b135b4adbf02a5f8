package io.kubecoderun.core.auth;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Stored keys of the embedded default without Redis: in memory, so they end with the process. */
public final class InMemoryStoredKeys implements StoredKeys {
    private final Map<String, StoredKey> byHash = new LinkedHashMap<>();

    @Override
    public synchronized CreatedKey create(String name, Instant now) {
        if (byHash.size() >= MAX_KEYS) {
            throw new LimitReachedException();
        }
        String key = StoredKeys.newKey();
        byte[] hash = ApiKeys.sha256(key);
        StoredKey stored = new StoredKey(ApiKeys.fingerprint(hash), name, now);
        byHash.put(HexFormat.of().formatHex(hash), stored);
        return new CreatedKey(stored, key);
    }

    @Override
    public synchronized Optional<StoredKey> findByHash(byte[] hash) {
        return Optional.ofNullable(byHash.get(HexFormat.of().formatHex(hash)));
    }

    @Override
    public synchronized List<StoredKey> list() {
        List<StoredKey> keys = new ArrayList<>(byHash.values());
        keys.sort(Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id));
        return keys;
    }

    @Override
    public synchronized boolean delete(String id) {
        return byHash.values().removeIf(k -> k.id().equals(id));
    }
}
