package io.kubecoderun.core.state;

import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.StoreException;
import io.kubecoderun.core.store.StoredObject;
import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * States hot in a {@link HotStateTier} and archived under {@code states/<sid>} in object storage: the archiver
 * copies states about to expire, a load falls back to the archive, and an archived state loaded again becomes
 * hot again. Archive retention is the bucket's lifecycle rule (or {@link #pruneArchive} on local disk).
 */
public final class TieredStateStore implements StateStore {
    private static final Logger LOG = Logger.getLogger(TieredStateStore.class.getName());

    private final HotStateTier hot;
    private final FileStore archive;
    private final Clock clock;
    private final long maxBytes;
    private final Duration hotTtl;

    public TieredStateStore(HotStateTier hot, FileStore archive, Clock clock, long maxBytes, Duration hotTtl) {
        this.hot = hot;
        this.archive = archive;
        this.clock = clock;
        this.maxBytes = maxBytes;
        this.hotTtl = hotTtl;
    }

    static String archiveKey(String sessionId) {
        return "states/" + sessionId;
    }

    @Override
    public void save(String sessionId, byte[] stored, Duration ttl) {
        StateCodec.validate(stored);
        if (stored.length > maxBytes) {
            throw new StoreException.TooLarge(maxBytes);
        }
        hot.put(sessionId, stored, clock.instant(), ttl);
    }

    @Override
    public Optional<StoredState> load(String sessionId) {
        Optional<HotStateTier.Entry> entry = hot.get(sessionId);
        if (entry.isPresent()) {
            return Optional.of(new StoredState(entry.get().bytes(), "redis"));
        }
        Optional<StoredObject> archived = archive.stat(archiveKey(sessionId));
        if (archived.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = read(sessionId);
        hot.put(sessionId, bytes, archived.get().lastModified(), hotTtl); // in use again: hot again
        return Optional.of(new StoredState(bytes, "archive"));
    }

    private byte[] read(String sessionId) {
        try (InputStream in = archive.open(archiveKey(sessionId))) {
            return in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot read archived state: " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<StateInfo> info(String sessionId) {
        Optional<HotStateTier.Entry> entry = hot.get(sessionId);
        if (entry.isPresent()) {
            HotStateTier.Entry e = entry.get();
            return Optional.of(new StateInfo(
                    sessionId, e.bytes().length, sha256(e.bytes()), e.createdAt(), e.expiresAt(), "redis"));
        }
        Optional<StoredObject> archived = archive.stat(archiveKey(sessionId));
        if (archived.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes = read(sessionId);
        return Optional.of(new StateInfo(
                sessionId, bytes.length, sha256(bytes), archived.get().lastModified(), null, "archive"));
    }

    @Override
    public boolean delete(String sessionId) {
        boolean hotRemoved = hot.delete(sessionId);
        boolean archivedRemoved = archive.delete(archiveKey(sessionId));
        return hotRemoved || archivedRemoved;
    }

    @Override
    public int archiveExpiring(Duration horizon) {
        int archived = 0;
        for (String sessionId : hot.expiringBefore(clock.instant().plus(horizon))) {
            Optional<HotStateTier.Entry> entry = hot.get(sessionId);
            if (entry.isEmpty()) {
                continue;
            }
            archive.put(
                    archiveKey(sessionId),
                    new ByteArrayInputStream(entry.get().bytes()),
                    maxBytes,
                    "application/octet-stream");
            archived++;
        }
        if (archived > 0) {
            LOG.info("event=states_archived count=" + archived);
        }
        return archived;
    }

    /** Deletes archived states older than {@code retention} (stores without lifecycle rules). */
    public int pruneArchive(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        int pruned = 0;
        for (StoredObject object : archive.list("states/")) {
            if (object.lastModified().isBefore(cutoff) && archive.delete(object.key())) {
                pruned++;
            }
        }
        return pruned;
    }

    public static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
