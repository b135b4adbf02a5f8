package io.kubecoderun.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stored keys' contract, run against memory and a real redis-server. */
abstract class StoredKeysContract {
    static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");
    StoredKeys store;

    abstract StoredKeys newStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = newStore();
    }

    @Test
    void aCreatedKeyAuthenticatesAsItsIdUntilDeletedAndOnlyItsHashIsKept() {
        StoredKeys.CreatedKey created = store.create("team-a", T0);
        assertTrue(created.key().matches("kcr_[A-Za-z0-9_-]{42}"), created.key());
        assertEquals(12, created.stored().id().length());
        ApiKeys keys = new ApiKeys(List.of("configured"), null, store);
        assertEquals(
                "key:" + created.stored().id(),
                keys.authenticate(created.key()).orElseThrow().id());
        assertEquals(
                "key:" + created.stored().id(),
                keys.authenticate("  " + created.key() + " ").orElseThrow().id());
        assertTrue(keys.authenticate(created.key() + "x").isEmpty());
        assertTrue(keys.authenticate("configured").isPresent(), "configured keys still work");
        assertEquals(List.of(new StoredKeys.StoredKey(created.stored().id(), "team-a", T0)), store.list());
        assertFalse(store.list().toString().contains(created.key()), "the listing never carries the key");

        assertTrue(store.delete(created.stored().id()));
        assertTrue(keys.authenticate(created.key()).isEmpty(), "revoked at once");
        assertFalse(store.delete(created.stored().id()));
        assertEquals(List.of(), store.list());
    }

    @Test
    void keysAreDistinctAndListedOldestFirst() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20; i++) {
            StoredKeys.CreatedKey created = store.create("k" + i, T0.plusSeconds(20 - i));
            assertTrue(seen.add(created.key()));
        }
        List<StoredKeys.StoredKey> listed = store.list();
        assertEquals(20, listed.size());
        assertEquals("k19", listed.get(0).name());
        assertEquals("k0", listed.get(19).name());
    }

    @Test
    void theStoreRefusesKeysBeyondItsLimit() {
        for (int i = 0; i < StoredKeys.MAX_KEYS; i++) {
            store.create("k" + i, T0);
        }
        assertThrows(StoredKeys.LimitReachedException.class, () -> store.create("one-too-many", T0));
        store.delete(store.list().get(0).id());
        store.create("fits-again", T0);
    }
}
