package io.kubecoderun.core.state;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.core.store.LocalDiskFileStore;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded default's states: memory hot tier, local-disk archive. */
class LocalStateStoreTest extends StateStoreContract {
    @TempDir
    Path temp;

    @Override
    StateStore newStore() {
        return new TieredStateStore(
                new InMemoryStateTier(Clock.systemUTC()),
                new LocalDiskFileStore(temp.resolve("archive")),
                Clock.systemUTC(),
                CAP,
                HOUR);
    }

    @Test
    void theArchiveIsPrunedPastItsRetention() throws Exception {
        store.save("prunedprunedprunedpru", state(10, 5), Duration.ofMillis(100));
        store.archiveExpiring(Duration.ofSeconds(5));
        Thread.sleep(200);
        assertEquals(0, ((TieredStateStore) store).pruneArchive(Duration.ofDays(7)));
        assertEquals(1, ((TieredStateStore) store).pruneArchive(Duration.ZERO));
    }
}
