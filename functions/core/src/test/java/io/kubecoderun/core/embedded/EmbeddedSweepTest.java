package io.kubecoderun.core.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.kubecoderun.core.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep: expired sessions take their bytes with them; unreferenced bytes and leftovers go; fresh ones stay. */
class EmbeddedSweepTest {
    @TempDir
    Path temp;

    EmbeddedDatabase db;
    SqliteSessionStore sessions;
    LocalDiskFileStore files;

    @BeforeEach
    void open() {
        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        sessions = new SqliteSessionStore(db, Clock.systemUTC());
        files = new LocalDiskFileStore(temp.resolve("files"));
    }

    @AfterEach
    void close() {
        db.close();
    }

    private FileRecord upload(Session session, String id, String text) {
        StoredObject stored = files.put(
                FileRecord.objectKey(session.id(), id),
                new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)),
                1 << 20,
                "text/plain");
        FileRecord record = new FileRecord(
                id,
                session.id(),
                id + ".txt",
                stored.size(),
                stored.etag(),
                "text/plain",
                stored.lastModified(),
                null,
                null,
                false,
                null,
                null);
        sessions.putFile(record);
        return record;
    }

    private Path path(String key) {
        return temp.resolve("files").resolve(key);
    }

    private void age(Path file, Duration by) throws Exception {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(by)));
    }

    @Test
    void unreferencedBytesAndLeftoversOlderThanTheCutoffGoReferencedAndFreshOnesStay() throws Exception {
        Session live = sessions.create("key:a", null, Duration.ofDays(1));
        Session expiring = sessions.create("key:a", null, Duration.ofMillis(200));
        FileRecord kept = upload(live, "kept", "kept");
        upload(expiring, "expired", "expired");
        // Bytes whose record never came (a process killed between the two), one old, one just written.
        files.put(FileRecord.objectKey(live.id(), "orphan"), new ByteArrayInputStream(new byte[10]), 100, null);
        files.put(FileRecord.objectKey(live.id(), "inflight"), new ByteArrayInputStream(new byte[10]), 100, null);
        age(path(FileRecord.objectKey(live.id(), "orphan")), Duration.ofHours(1));
        // A half-written upload's temporary file and an entity tag without its object.
        Path tempFile = path("sessions/" + live.id() + "/.kcr-tmp-dead");
        Files.write(tempFile, new byte[5]);
        age(tempFile, Duration.ofHours(1));
        Path strayTag = path("sessions/" + live.id() + "/gone.kcr-etag");
        Files.writeString(strayTag, "x");
        age(strayTag, Duration.ofHours(1));
        Thread.sleep(400);
        age(path(FileRecord.objectKey(expiring.id(), "expired")), Duration.ofHours(1));
        // Not exclusive-sensitive: a cutoff of "10 minutes ago".
        EmbeddedSweep sweep = new EmbeddedSweep(db, sessions, files, Clock.systemUTC(), Duration.ofMinutes(10));

        EmbeddedSweep.Result result = sweep.run();

        assertEquals(1, result.expiredSessions());
        assertEquals(2, result.orphanObjects(), "the old orphan and the expired session's file");
        assertTrue(files.stat(kept.objectKey()).isPresent());
        assertTrue(files.stat(FileRecord.objectKey(live.id(), "inflight")).isPresent(), "too fresh to judge");
        assertFalse(files.stat(FileRecord.objectKey(live.id(), "orphan")).isPresent());
        assertFalse(files.stat(FileRecord.objectKey(expiring.id(), "expired")).isPresent());
        assertFalse(Files.exists(tempFile));
        assertFalse(Files.exists(strayTag));
        assertFalse(Files.exists(path("sessions/" + expiring.id())), "the emptied session directory too");
        assertEquals(List.of(kept), sessions.files(live.id()));
    }

    @Test
    void aRecordWhoseBytesAreGoneIsDropped() throws Exception {
        Session live = sessions.create("key:a", null, Duration.ofDays(1));
        FileRecord lost = upload(live, "lost", "lost");
        FileRecord kept = upload(live, "kept", "kept");
        Files.delete(path(lost.objectKey()));
        // Its record dates from before this process opened the store.
        sessions.putFile(new FileRecord(
                lost.id(),
                lost.sessionId(),
                lost.name(),
                lost.size(),
                lost.etag(),
                lost.contentType(),
                Instant.now().minus(Duration.ofHours(1)),
                null,
                null,
                false,
                null,
                null));
        EmbeddedSweep.Result result =
                new EmbeddedSweep(db, sessions, files, Clock.systemUTC(), Duration.ofMinutes(10)).run();
        assertEquals(1, result.recordsWithoutBytes());
        assertEquals(List.of(kept), sessions.files(live.id()));
    }

    @Test
    void theSoleOwnerTreatsEverythingWrittenBeforeItOpenedTheStoreAsSettled() throws Exception {
        Session live = sessions.create("key:a", null, Duration.ofDays(1));
        files.put(FileRecord.objectKey(live.id(), "orphan"), new ByteArrayInputStream(new byte[10]), 100, null);
        db.close();
        Thread.sleep(20);
        db = EmbeddedDatabase.open(temp.resolve("kcr.db")); // the next start
        sessions = new SqliteSessionStore(db, Clock.systemUTC());
        assertTrue(db.exclusive());
        EmbeddedSweep.Result result =
                new EmbeddedSweep(db, sessions, files, Clock.systemUTC(), Duration.ofMinutes(10)).run();
        assertEquals(1, result.orphanObjects(), "left by the previous process: no grace needed");
    }
}
