package io.kubecoderun.core.store;

import io.kubecoderun.core.ids.Ids;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Sessions of the embedded default, in memory with expiry on the injected clock; expired sessions are dropped
 * when met. Same contract as the Redis store.
 */
public final class InMemorySessionStore implements SessionStore {
    private final Clock clock;
    private final Map<String, Session> sessions = new HashMap<>();
    private final Map<String, Map<String, FileRecord>> files = new HashMap<>();
    private final Map<String, String> entities = new HashMap<>();

    public InMemorySessionStore(Clock clock) {
        this.clock = clock;
    }

    private Optional<Session> live(String id) {
        Session session = sessions.get(id);
        if (session == null) {
            return Optional.empty();
        }
        if (!session.expiresAt().isAfter(clock.instant())) {
            sessions.remove(id);
            files.remove(id);
            return Optional.empty();
        }
        return Optional.of(session);
    }

    @Override
    public synchronized Session create(String owner, String entityId, Duration ttl) {
        Instant now = clock.instant();
        Session session = new Session(Ids.next(), owner, entityId, now, now.plus(ttl));
        sessions.put(session.id(), session);
        files.put(session.id(), new LinkedHashMap<>());
        if (entityId != null) {
            entities.put(owner + "\u0000" + entityId, session.id());
        }
        return session;
    }

    @Override
    public synchronized Optional<Session> find(String id, String owner) {
        return live(id).filter(s -> s.owner().equals(owner));
    }

    @Override
    public synchronized Optional<Session> findByEntity(String owner, String entityId) {
        String id = entities.get(owner + "\u0000" + entityId);
        return id == null ? Optional.empty() : find(id, owner);
    }

    @Override
    public synchronized void touch(String id, Duration ttl) {
        live(id).ifPresent(s -> sessions.put(
                id,
                new Session(
                        s.id(),
                        s.owner(),
                        s.entityId(),
                        s.createdAt(),
                        clock.instant().plus(ttl))));
    }

    @Override
    public synchronized void delete(String id) {
        Session removed = sessions.remove(id);
        files.remove(id);
        if (removed != null && removed.entityId() != null) {
            entities.remove(removed.owner() + "\u0000" + removed.entityId(), id);
        }
    }

    @Override
    public synchronized void putFile(FileRecord file) {
        if (live(file.sessionId()).isEmpty()) {
            throw new StoreException.NotFound("session " + file.sessionId());
        }
        files.get(file.sessionId()).put(file.id(), file);
    }

    @Override
    public synchronized Optional<FileRecord> file(String sessionId, String fileId) {
        return live(sessionId).map(s -> files.get(sessionId).get(fileId));
    }

    @Override
    public synchronized List<FileRecord> files(String sessionId) {
        if (live(sessionId).isEmpty()) {
            return List.of();
        }
        List<FileRecord> out = new ArrayList<>(files.get(sessionId).values());
        out.sort(Comparator.comparing(FileRecord::name).thenComparing(FileRecord::id));
        return out;
    }

    @Override
    public synchronized boolean removeFile(String sessionId, String fileId) {
        return live(sessionId).isPresent() && files.get(sessionId).remove(fileId) != null;
    }

    @Override
    public void ping() {
        // Always reachable.
    }

    @Override
    public synchronized SessionCensus census() {
        long sessionCount = 0;
        long fileCount = 0;
        long bytes = 0;
        for (String id : List.copyOf(sessions.keySet())) {
            if (live(id).isEmpty()) {
                continue;
            }
            sessionCount++;
            for (FileRecord file : files.getOrDefault(id, Map.of()).values()) {
                fileCount++;
                bytes += file.size();
            }
        }
        return new SessionCensus(sessionCount, fileCount, bytes);
    }
}
