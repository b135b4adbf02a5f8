package io.kubecoderun.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.store.StoreException;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The state store's contract: hot tier plus archive, run in memory + local disk and Redis + S3. */
abstract class StateStoreContract {
    static final long CAP = 50L << 20;
    static final Duration HOUR = Duration.ofHours(1);
    StateStore store;

    abstract StateStore newStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = newStore();
    }

    static byte[] state(int size, long seed) {
        byte[] raw = new byte[size];
        new Random(seed).nextBytes(raw);
        return StateCodec.encode(raw);
    }

    @Test
    void aSavedStateLoadsBackHotWithItsInfo() {
        byte[] stored = state(10_000, 1);
        store.save("sessionsessionsession", stored, HOUR);
        StoredState loaded = store.load("sessionsessionsession").orElseThrow();
        assertArrayEquals(stored, loaded.bytes());
        assertEquals("redis", loaded.source());
        StateInfo info = store.info("sessionsessionsession").orElseThrow();
        assertEquals(stored.length, info.sizeBytes());
        assertEquals(TieredStateStore.sha256(stored), info.hash());
        assertTrue(info.expiresAt().isAfter(info.createdAt()));
        assertTrue(store.load("unknownunknownunknown").isEmpty());
        assertTrue(store.info("unknownunknownunknown").isEmpty());
    }

    @Test
    void invalidAndOversizedStatesAreRefused() {
        assertThrows(StateCodec.InvalidStateException.class, () -> store.save("s", new byte[] {9, 9}, HOUR));
        assertThrows(StateCodec.InvalidStateException.class, () -> store.save("s", new byte[] {2}, HOUR));
        byte[] big = new byte[(int) CAP + 2];
        big[0] = StateCodec.RAW;
        assertThrows(StoreException.TooLarge.class, () -> store.save("s", big, HOUR));
    }

    @Test
    void aStateArchivedBeforeItExpiresIsRestoredFromTheArchiveAndBecomesHotAgain() throws Exception {
        byte[] stored = state(50_000, 2);
        store.save("archivedarchivedarchi", stored, Duration.ofMillis(800));
        store.save("fresh-fresh-fresh-fre", state(10, 3), HOUR);
        assertEquals(1, store.archiveExpiring(Duration.ofSeconds(5)), "only the state about to expire");
        Thread.sleep(1_200);
        StoredState restored = store.load("archivedarchivedarchi").orElseThrow();
        assertEquals("archive", restored.source());
        assertArrayEquals(stored, restored.bytes());
        assertEquals("redis", store.load("archivedarchivedarchi").orElseThrow().source(), "hot again once used");
    }

    @Test
    void deleteRemovesItFromBothPlaces() {
        store.save("gonegonegonegonegoneg", state(100, 4), Duration.ofSeconds(2));
        store.archiveExpiring(Duration.ofSeconds(10));
        assertTrue(store.delete("gonegonegonegonegoneg"));
        assertTrue(store.load("gonegonegonegonegoneg").isEmpty());
        assertFalse(store.delete("gonegonegonegonegoneg"));
    }
}
