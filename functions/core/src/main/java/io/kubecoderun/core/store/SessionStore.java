package io.kubecoderun.core.store;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Sessions and their file index (the bytes live in a {@link FileStore}). Every lookup is by owner: another
 * principal's session is simply not found, so the API answers 404 without saying it exists.
 */
public interface SessionStore {

    Session create(String owner, String entityId, Duration ttl);

    /** The live session {@code id} if {@code owner} owns it. */
    Optional<Session> find(String id, String owner);

    /** The owner's latest live session for {@code entityId}. */
    Optional<Session> findByEntity(String owner, String entityId);

    /** Keeps the session and its file index alive for {@code ttl} from now. */
    void touch(String id, Duration ttl);

    /** Removes the session and its file index (not the bytes). */
    void delete(String id);

    /** Adds or replaces a file in its session's index. */
    void putFile(FileRecord file);

    Optional<FileRecord> file(String sessionId, String fileId);

    /** The session's files, by name. */
    List<FileRecord> files(String sessionId);

    boolean removeFile(String sessionId, String fileId);

    /** A cheap round trip for health checks. */
    void ping();

    /**
     * Counts every live session, its files and their bytes. Walks the whole store (a SCAN on Redis): for a
     * periodic gauge, never for a request.
     */
    SessionCensus census();
}
