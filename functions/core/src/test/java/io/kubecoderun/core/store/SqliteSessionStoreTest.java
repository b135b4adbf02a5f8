package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.embedded.EmbeddedDatabase;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The embedded store's sessions: the contract, and what a close and reopen (a restart) keeps. */
class SqliteSessionStoreTest extends SessionStoreContract {
    @TempDir
    Path temp;

    EmbeddedDatabase db;

    @Override
    SessionStore newStore() {
        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        return new SqliteSessionStore(db, Clock.systemUTC());
    }

    @AfterEach
    void close() {
        db.close();
    }

    @Test
    void sessionsFilesLineageAndTheEntityIndexSurviveAReopen() {
        Session session = store.create("key:alice", "agent-1", DAY);
        FileRecord changed = new FileRecord(
                "f2",
                session.id(),
                "out/data.csv",
                99,
                "etag",
                "text/csv",
                Instant.parse("2026-11-28T10:00:00.123456789Z"),
                "agent",
                null,
                true,
                "f0",
                "origin-session-origin");
        store.putFile(file(session.id(), "f1", "in.csv"));
        store.putFile(changed);
        db.close();

        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        SessionStore reopened = new SqliteSessionStore(db, Clock.systemUTC());
        Session found = reopened.find(session.id(), "key:alice").orElseThrow();
        assertEquals(session.expiresAt().toEpochMilli(), found.expiresAt().toEpochMilli());
        assertTrue(reopened.find(session.id(), "key:mallory").isEmpty(), "still another principal's 404");
        assertEquals(
                session.id(),
                reopened.findByEntity("key:alice", "agent-1").orElseThrow().id());
        assertEquals(List.of(file(session.id(), "f1", "in.csv"), changed), reopened.files(session.id()));
        assertEquals(changed, reopened.file(session.id(), "f2").orElseThrow(), "lineage and times exactly as put");
    }

    @Test
    void aSessionThatExpiredWhileTheStoreWasClosedIsGoneWithItsFileIndex() {
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-12-01T10:00:00Z"));
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now.get();
            }
        };
        SqliteSessionStore before = new SqliteSessionStore(db, clock);
        Session shortLived = before.create("key:alice", "agent", Duration.ofHours(1));
        Session longLived = before.create("key:alice", null, Duration.ofDays(2));
        before.putFile(file(shortLived.id(), "f1", "a.csv"));
        before.putFile(file(longLived.id(), "f2", "b.csv"));
        db.close();

        now.set(now.get().plus(Duration.ofHours(3))); // the service was down for three hours
        db = EmbeddedDatabase.open(temp.resolve("kcr.db"));
        SqliteSessionStore after = new SqliteSessionStore(db, clock);
        assertTrue(after.find(shortLived.id(), "key:alice").isEmpty());
        assertTrue(after.findByEntity("key:alice", "agent").isEmpty());
        assertEquals(List.of(), after.files(shortLived.id()));
        assertEquals(new SessionCensus(1, 1, 12), after.census());
        assertEquals(1, after.purgeExpired());
        assertEquals(
                java.util.Set.of(FileRecord.objectKey(longLived.id(), "f2")),
                after.referencedObjectKeys(),
                "the expired session's record is gone, so the sweep takes its bytes");
        assertTrue(after.find(longLived.id(), "key:alice").isPresent());
    }
}
