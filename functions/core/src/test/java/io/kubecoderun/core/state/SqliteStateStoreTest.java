package io.kubecoderun.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import io.kubecoderun.core.store.LocalDiskFileStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default's states: the hot tier in kcr.db, the archive on local disk; both outlive a reopen. */
class SqliteStateStoreTest extends StateStoreContract {
    @TempDir
    Path temp;

    EmbeddedDatabase db;

    @Override
    StateStore newStore() {
        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        return store(db);
    }

    private StateStore store(EmbeddedDatabase db) {
        return new TieredStateStore(
                new SqliteStateTier(db, Clock.systemUTC()),
                new LocalDiskFileStore(temp.resolve("files")),
                Clock.systemUTC(),
                CAP,
                HOUR);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aSavedStateAndItsTimesSurviveAReopenAndExpireOnTime() throws Exception {
        byte[] stored = state(20_000, 7);
        store.save("keptkeptkeptkeptkeptk", stored, HOUR);
        store.save("shortshortshortshorts", state(10, 8), Duration.ofMillis(300));
        StateInfo before = store.info("keptkeptkeptkeptkeptk").orElseThrow();
        db.close();
        Thread.sleep(500);

        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        StateStore reopened = store(db);
        assertArrayEquals(
                stored, reopened.load("keptkeptkeptkeptkeptk").orElseThrow().bytes());
        StateInfo after = reopened.info("keptkeptkeptkeptkeptk").orElseThrow();
        assertEquals(before.hash(), after.hash());
        assertEquals(before.createdAt().toEpochMilli(), after.createdAt().toEpochMilli());
        assertEquals(before.expiresAt().toEpochMilli(), after.expiresAt().toEpochMilli());
        assertTrue(reopened.load("shortshortshortshorts").isEmpty(), "expired while closed");
        assertEquals(1, new SqliteStateTier(db, Clock.systemUTC()).purgeExpired());
    }
}
