package io.kubecoderun.core.embedded;

import io.kubecoderun.core.state.SqliteStateTier;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.kubecoderun.core.store.StoredObject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.logging.Logger;

/**
 * The embedded store's housekeeping, at start-up and periodically: expired sessions (with their file index) and
 * expired states are deleted; then file bytes that no record references are deleted, so are records whose bytes
 * are gone, and on local disk the temporary files and stray entity tags a killed process left behind.
 *
 * <p>Only what was last modified before a cutoff is touched, so a write in flight (bytes stored, record not yet)
 * is never taken for an orphan: {@link #GRACE} ago, or — when this process holds the data directory's lock, so
 * that nothing written before it opened the store can still be in flight — the moment it opened the store.
 */
public final class EmbeddedSweep {
    private static final Logger LOG = Logger.getLogger(EmbeddedSweep.class.getName());

    /** How old an unreferenced object must be before it is an orphan (when the store is shared). */
    public static final Duration GRACE = Duration.ofMinutes(10);

    /** What a pass removed. */
    public record Result(
            int expiredSessions, int expiredStates, int orphanObjects, int recordsWithoutBytes, int leftovers) {}

    private final EmbeddedDatabase db;
    private final SqliteSessionStore sessions;
    private final SqliteStateTier states;
    private final FileStore files;
    private final Clock clock;
    private final Duration grace;

    public EmbeddedSweep(
            EmbeddedDatabase db, SqliteSessionStore sessions, FileStore files, Clock clock, Duration grace) {
        this.db = db;
        this.sessions = sessions;
        this.states = new SqliteStateTier(db, clock);
        this.files = files;
        this.clock = clock;
        this.grace = grace;
    }

    Instant cutoff() {
        Instant cutoff = clock.instant().minus(grace);
        return db.exclusive() && db.openedAt().isAfter(cutoff) ? db.openedAt() : cutoff;
    }

    public Result run() {
        long t0 = System.nanoTime();
        int expiredSessions = sessions.purgeExpired();
        int expiredStates = states.purgeExpired();
        Instant cutoff = cutoff();
        // The listing first, the records second: a record committed meanwhile is seen.
        List<StoredObject> objects = files.list("sessions/");
        Set<String> referenced = sessions.referencedObjectKeys();
        Set<String> present = new HashSet<>();
        int orphans = 0;
        for (StoredObject object : objects) {
            present.add(object.key());
            if (!referenced.contains(object.key())
                    && object.lastModified().isBefore(cutoff)
                    && files.delete(object.key())) {
                orphans++;
            }
        }
        int missing = 0;
        for (FileRecord record : sessions.allFiles()) {
            if (!present.contains(record.objectKey())
                    && record.lastModified() != null
                    && record.lastModified().isBefore(cutoff)
                    && files.stat(record.objectKey()).isEmpty()
                    && sessions.dropRecord(record.sessionId(), record.id())) {
                LOG.warning("event=file_record_without_bytes session=" + record.sessionId() + " file=" + record.id()
                        + " detail=\"the record was dropped\"");
                missing++;
            }
        }
        int leftovers = files instanceof LocalDiskFileStore local ? local.removeLeftovers(cutoff) : 0;
        Result result = new Result(expiredSessions, expiredStates, orphans, missing, leftovers);
        LOG.info("event=embedded_sweep expired_sessions=" + expiredSessions + " expired_states=" + expiredStates
                + " orphan_objects=" + orphans + " records_without_bytes=" + missing + " leftovers=" + leftovers
                + " objects=" + objects.size() + " ms=" + (System.nanoTime() - t0) / 1_000_000);
        return result;
    }
}
