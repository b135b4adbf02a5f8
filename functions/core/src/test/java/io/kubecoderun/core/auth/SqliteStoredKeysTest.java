package io.kubecoderun.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteStoredKeysTest extends StoredKeysContract {
    @TempDir
    Path temp;

    EmbeddedDatabase db;

    @Override
    StoredKeys newStore() {
        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        return new SqliteStoredKeys(db);
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void aKeyStaysValidAndARevokedOneStaysRevokedAcrossAReopenAndOnlyTheHashIsOnDisk() throws Exception {
        StoredKeys.CreatedKey kept = store.create("kept", T0);
        StoredKeys.CreatedKey revoked = store.create("revoked", T0.plusSeconds(1));
        assertTrue(store.delete(revoked.stored().id()));
        db.close();
        for (Path file : List.of(temp.resolve("kcr.db"), temp.resolve("kcr.db-wal"))) {
            if (Files.exists(file)) {
                String bytes = new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1);
                assertTrue(!bytes.contains(kept.key()), "the plaintext key is never written");
            }
        }

        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        StoredKeys reopened = new SqliteStoredKeys(db);
        ApiKeys keys = new ApiKeys(List.of(), null, reopened);
        assertEquals(
                "key:" + kept.stored().id(),
                keys.authenticate(kept.key()).orElseThrow().id());
        assertTrue(keys.authenticate(revoked.key()).isEmpty());
        assertEquals(List.of(kept.stored()), reopened.list());
    }
}
