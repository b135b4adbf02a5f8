package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDiskFileStoreTest extends FileStoreContract {
    @TempDir
    Path temp;

    @Override
    FileStore newStore() {
        return new LocalDiskFileStore(temp.resolve("store"));
    }

    @Test
    void keysCannotLeaveTheRoot() {
        for (String key : new String[] {"../escape", "/abs", "sessions/../../x", "a\\b", ""}) {
            assertThrows(IllegalArgumentException.class, () -> store.put(key, bytes("x"), CAP, null), key);
        }
        assertFalse(Files.exists(temp.resolve("escape")));
    }
}
