package io.kubecoderun.core.embedded;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SqliteSessionStore;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening the embedded store: schema versions forward and backward, damaged and foreign files. */
class EmbeddedDatabaseTest {
    @TempDir
    Path temp;

    Path file() {
        return temp.resolve(EmbeddedDatabase.FILE_NAME);
    }

    private static int pragma(Path file, String name) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA " + name)) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void aNewStoreIsCreatedAtTheCurrentSchemaVersionAndMarkedAsOurs() throws Exception {
        EmbeddedDatabase.open(file()).close();
        assertEquals(EmbeddedDatabase.SCHEMA_VERSION, pragma(file(), "user_version"));
        assertEquals(EmbeddedDatabase.APPLICATION_ID, pragma(file(), "application_id"));
        EmbeddedDatabase again = EmbeddedDatabase.open(file()); // opening it again migrates nothing
        again.close();
        assertEquals(EmbeddedDatabase.SCHEMA_VERSION, pragma(file(), "user_version"));
    }

    @Test
    void aStoreWrittenByThisVersionIsOpenedAndMigratedByTheNextOne() throws Exception {
        EmbeddedDatabase db = EmbeddedDatabase.open(file());
        Session session = new SqliteSessionStore(db, Clock.systemUTC()).create("key:a", "e", Duration.ofDays(1));
        db.close();

        List<EmbeddedDatabase.Migration> next = new ArrayList<>(EmbeddedDatabase.MIGRATIONS);
        next.add(new EmbeddedDatabase.Migration(
                EmbeddedDatabase.SCHEMA_VERSION + 1,
                "a later version's column",
                List.of("ALTER TABLE sessions ADD COLUMN label TEXT DEFAULT 'migrated'")));
        EmbeddedDatabase later = EmbeddedDatabase.open(file(), next);
        String label = later.read(c -> {
            try (PreparedStatement st = c.prepareStatement("SELECT label FROM sessions WHERE id = ?")) {
                st.setString(1, session.id());
                try (ResultSet rs = st.executeQuery()) {
                    return rs.next() ? rs.getString(1) : null;
                }
            }
        });
        assertEquals("migrated", label, "the session written by this version is there after the step");
        assertTrue(new SqliteSessionStore(later, Clock.systemUTC())
                .find(session.id(), "key:a")
                .isPresent());
        later.close();
        assertEquals(EmbeddedDatabase.SCHEMA_VERSION + 1, pragma(file(), "user_version"));
    }

    @Test
    void aStoreFromANewerVersionIsRefusedWithAClearMessageAndLeftUnchanged() throws Exception {
        EmbeddedDatabase.open(file()).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement()) {
            st.execute("PRAGMA user_version = 99");
        }
        byte[] before = Files.readAllBytes(file());
        EmbeddedDatabase.UnusableStoreException refused =
                assertThrows(EmbeddedDatabase.UnusableStoreException.class, () -> EmbeddedDatabase.open(file()));
        assertTrue(refused.getMessage().contains("schema version 99"), refused.getMessage());
        assertTrue(refused.getMessage().contains("newer KubeCodeRun"), refused.getMessage());
        assertTrue(refused.getMessage().contains("up to " + EmbeddedDatabase.SCHEMA_VERSION), refused.getMessage());
        assertArrayEquals(before, Files.readAllBytes(file()));
    }

    @Test
    void aFileThatIsNotADatabaseIsReportedNeverReplaced() throws Exception {
        byte[] garbage = new byte[64 * 1024];
        new Random(1).nextBytes(garbage);
        Files.write(file(), garbage);
        EmbeddedDatabase.UnusableStoreException refused =
                assertThrows(EmbeddedDatabase.UnusableStoreException.class, () -> EmbeddedDatabase.open(file()));
        assertTrue(refused.getMessage().contains("not a SQLite database"), refused.getMessage());
        assertTrue(refused.getMessage().contains(file().toString()), "names the file: " + refused.getMessage());
        assertArrayEquals(garbage, Files.readAllBytes(file()), "left exactly as it was");
    }

    @Test
    void aDamagedPageIsReportedNeverReplaced() throws Exception {
        EmbeddedDatabase db = EmbeddedDatabase.open(file());
        SqliteSessionStore sessions = new SqliteSessionStore(db, Clock.systemUTC());
        for (int i = 0; i < 2000; i++) {
            Session s = sessions.create("key:owner-" + i, "entity-" + i, Duration.ofDays(1));
            sessions.putFile(new io.kubecoderun.core.store.FileRecord(
                    "f" + i, s.id(), "name-" + i + ".csv", i, "etag", "text/csv", null, null, null, false, null, null));
        }
        db.close();
        long size = Files.size(file());
        assertTrue(size > 20 * 4096, "several pages: " + size);
        try (RandomAccessFile raf = new RandomAccessFile(file().toFile(), "rw")) {
            byte[] noise = new byte[4096 * 4];
            new Random(2).nextBytes(noise);
            raf.seek(4096 * 3); // past the header page: b-tree pages of the tables
            raf.write(noise);
        }
        byte[] damaged = Files.readAllBytes(file());
        EmbeddedDatabase.UnusableStoreException refused =
                assertThrows(EmbeddedDatabase.UnusableStoreException.class, () -> EmbeddedDatabase.open(file()));
        assertTrue(refused.getMessage().contains(file().toString()), refused.getMessage());
        assertTrue(refused.getMessage().contains("left as it is"), refused.getMessage());
        assertArrayEquals(damaged, Files.readAllBytes(file()), "never replaced or repaired behind the operator");
    }

    @Test
    void anotherApplicationsDatabaseIsRefused() throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file());
                Statement st = c.createStatement()) {
            st.execute("CREATE TABLE notes (x TEXT)");
        }
        EmbeddedDatabase.UnusableStoreException refused =
                assertThrows(EmbeddedDatabase.UnusableStoreException.class, () -> EmbeddedDatabase.open(file()));
        assertTrue(refused.getMessage().contains("not a KubeCodeRun store"), refused.getMessage());
    }

    @Test
    void theFirstProcessHoldsTheDataDirectoryLock() {
        EmbeddedDatabase first = EmbeddedDatabase.open(file());
        EmbeddedDatabase second = EmbeddedDatabase.open(file());
        try {
            assertTrue(first.exclusive());
            assertTrue(!second.exclusive(), "a second opener shares the store and sweeps only past the grace");
        } finally {
            second.close();
            first.close();
        }
    }
}
