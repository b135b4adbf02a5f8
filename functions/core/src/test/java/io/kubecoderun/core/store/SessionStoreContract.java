package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The session store's contract, run against memory and a real redis-server. Expiry is real time. */
abstract class SessionStoreContract {
    static final Duration DAY = Duration.ofHours(24);
    SessionStore store;

    abstract SessionStore newStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = newStore();
    }

    static FileRecord file(String sessionId, String id, String name) {
        return new FileRecord(
                id,
                sessionId,
                name,
                12,
                "etag-" + id,
                "text/csv",
                Instant.parse("2026-11-28T10:00:00.123Z"),
                "user",
                null,
                false,
                null,
                null);
    }

    @Test
    void aSessionIsFoundByItsOwnerOnly() {
        Session session = store.create("key:alice", "agent-1", DAY);
        assertEquals(21, session.id().length());
        Session found = store.find(session.id(), "key:alice").orElseThrow();
        assertEquals(session.id(), found.id());
        assertEquals("agent-1", found.entityId());
        assertEquals(
                session.createdAt().truncatedTo(ChronoUnit.MILLIS),
                found.createdAt().truncatedTo(ChronoUnit.MILLIS));
        assertTrue(store.find(session.id(), "key:mallory").isEmpty(), "another principal must not see it");
        assertTrue(store.find("unknownunknownunknown", "key:alice").isEmpty());
        assertTrue(store.find("../../etc/passwd", "key:alice").isEmpty());
    }

    @Test
    void theEntityIndexIsPerOwnerAndFollowsTheLatestSession() {
        Session first = store.create("key:alice", "agent-1", DAY);
        Session second = store.create("key:alice", "agent-1", DAY);
        store.create("key:bob", "agent-1", DAY);
        assertEquals(
                second.id(),
                store.findByEntity("key:alice", "agent-1").orElseThrow().id());
        assertTrue(store.findByEntity("key:carol", "agent-1").isEmpty());
        store.delete(first.id());
        assertEquals(
                second.id(),
                store.findByEntity("key:alice", "agent-1").orElseThrow().id(),
                "deleting an older session keeps the newer one's index");
    }

    @Test
    void filesAreIndexedPerSessionAndGoWithIt() {
        Session session = store.create("key:alice", null, DAY);
        store.putFile(file(session.id(), "f2", "b.csv"));
        store.putFile(file(session.id(), "f1", "a/a.csv"));
        assertEquals(
                List.of("a/a.csv", "b.csv"),
                store.files(session.id()).stream().map(FileRecord::name).toList());
        FileRecord back = store.file(session.id(), "f1").orElseThrow();
        assertEquals(file(session.id(), "f1", "a/a.csv"), back);
        store.putFile(new FileRecord(
                "f1",
                session.id(),
                "a/a.csv",
                99,
                "new",
                "text/csv",
                Instant.now(),
                null,
                null,
                true,
                "f0",
                "other-session"));
        assertEquals(99, store.file(session.id(), "f1").orElseThrow().size());
        assertEquals("f0", store.file(session.id(), "f1").orElseThrow().modifiedFromId());
        assertTrue(store.removeFile(session.id(), "f2"));
        assertFalse(store.removeFile(session.id(), "f2"));
        store.delete(session.id());
        assertEquals(List.of(), store.files(session.id()));
        assertTrue(store.file(session.id(), "f1").isEmpty());
    }

    @Test
    void theCensusCountsLiveSessionsTheirFilesAndBytesButNotExpiredOnes() throws Exception {
        assertEquals(new SessionCensus(0, 0, 0), store.census());
        Session withFiles = store.create("key:alice", null, DAY);
        store.putFile(file(withFiles.id(), "f1", "a.csv"));
        store.putFile(file(withFiles.id(), "f2", "b/c.csv"));
        store.create("key:bob", "agent", DAY);
        Session expiring = store.create("key:alice", null, Duration.ofMillis(300));
        store.putFile(file(expiring.id(), "f3", "gone.csv"));
        assertEquals(new SessionCensus(3, 3, 36), store.census());
        Thread.sleep(700);
        assertEquals(new SessionCensus(2, 2, 24), store.census(), "the expired session and its file drop out");
        store.removeFile(withFiles.id(), "f1");
        assertEquals(new SessionCensus(2, 1, 12), store.census());
    }

    @Test
    void aFileCannotBeAddedToAMissingSession() {
        assertThrows(StoreException.NotFound.class, () -> store.putFile(file("missingmissingmissing", "f", "x")));
    }

    @Test
    void sessionsExpireUnlessTouched() throws Exception {
        Session kept = store.create("key:alice", "e", Duration.ofMillis(600));
        Session dropped = store.create("key:alice", null, Duration.ofMillis(600));
        store.putFile(file(kept.id(), "f", "kept.txt"));
        Thread.sleep(300);
        store.touch(kept.id(), Duration.ofSeconds(30));
        Thread.sleep(500);
        assertTrue(store.find(dropped.id(), "key:alice").isEmpty(), "expired");
        assertTrue(store.find(kept.id(), "key:alice").isPresent(), "touched");
        assertEquals(1, store.files(kept.id()).size(), "its files live as long as it does");
        assertTrue(store.find(kept.id(), "key:alice")
                .orElseThrow()
                .expiresAt()
                .isAfter(Instant.now().plusSeconds(20)));
    }

    @Test
    void pingAnswers() {
        store.ping();
    }
}
