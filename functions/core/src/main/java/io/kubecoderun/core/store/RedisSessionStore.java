package io.kubecoderun.core.store;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Sessions in Redis: a hash per session ({@code <prefix>session:<id>}: owner, entity, created, expires), a hash
 * of its files ({@code <prefix>session:<id>:files}: file id → JSON) and an entity index
 * ({@code <prefix>entity:<owner>:<entity>} → session id), all expiring together through Redis TTLs.
 */
public final class RedisSessionStore implements SessionStore {
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private final BlockingRedis redis;
    private final String prefix;
    private final Clock clock;

    public RedisSessionStore(Redis redis, String prefix, Clock clock) {
        this.redis = new BlockingRedis(redis);
        this.prefix = prefix;
        this.clock = clock;
    }

    private String sessionKey(String id) {
        return prefix + "session:" + id;
    }

    private String filesKey(String id) {
        return sessionKey(id) + ":files";
    }

    private String entityKey(String owner, String entityId) {
        return prefix + "entity:" + owner + ":" + entityId;
    }

    @Override
    public Session create(String owner, String entityId, Duration ttl) {
        Instant now = clock.instant();
        Session session = new Session(Ids.next(), owner, entityId, now, now.plus(ttl));
        String key = sessionKey(session.id());
        Request hset = Request.cmd(Command.HSET)
                .arg(key)
                .arg("owner")
                .arg(owner)
                .arg("created")
                .arg(now.toEpochMilli())
                .arg("expires")
                .arg(session.expiresAt().toEpochMilli());
        if (entityId != null) {
            hset.arg("entity").arg(entityId);
        }
        redis.send(hset);
        redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(ttl.toMillis()));
        if (entityId != null) {
            redis.send(Request.cmd(Command.SET)
                    .arg(entityKey(owner, entityId))
                    .arg(session.id())
                    .arg("PX")
                    .arg(ttl.toMillis()));
        }
        return session;
    }

    @Override
    public Optional<Session> find(String id, String owner) {
        if (!Ids.acceptable(id)) {
            return Optional.empty();
        }
        Response fields = redis.send(Request.cmd(Command.HGETALL).arg(sessionKey(id)));
        String storedOwner = field(fields, "owner");
        if (storedOwner == null || !storedOwner.equals(owner)) {
            return Optional.empty();
        }
        return Optional.of(new Session(
                id,
                storedOwner,
                field(fields, "entity"),
                Instant.ofEpochMilli(Long.parseLong(field(fields, "created"))),
                Instant.ofEpochMilli(Long.parseLong(field(fields, "expires")))));
    }

    /** A field of an HGETALL answer, RESP2 (flat array) or RESP3 (map). */
    private static String field(Response fields, String name) {
        if (fields == null || fields.size() == 0) {
            return null;
        }
        if (fields.getKeys() != null && !fields.getKeys().isEmpty()) {
            Response value = fields.get(name);
            return value == null ? null : value.toString();
        }
        for (int i = 0; i + 1 < fields.size(); i += 2) {
            if (name.equals(fields.get(i).toString())) {
                return fields.get(i + 1).toString();
            }
        }
        return null;
    }

    @Override
    public Optional<Session> findByEntity(String owner, String entityId) {
        Response id = redis.send(Request.cmd(Command.GET).arg(entityKey(owner, entityId)));
        return id == null ? Optional.empty() : find(id.toString(), owner);
    }

    @Override
    public void touch(String id, Duration ttl) {
        String key = sessionKey(id);
        Response fields = redis.send(Request.cmd(Command.HGETALL).arg(key));
        String owner = field(fields, "owner");
        if (owner == null) {
            return;
        }
        redis.send(Request.cmd(Command.HSET)
                .arg(key)
                .arg("expires")
                .arg(clock.instant().plus(ttl).toEpochMilli()));
        redis.send(Request.cmd(Command.PEXPIRE).arg(key).arg(ttl.toMillis()));
        redis.send(Request.cmd(Command.PEXPIRE).arg(filesKey(id)).arg(ttl.toMillis()));
        String entity = field(fields, "entity");
        if (entity != null) {
            redis.send(
                    Request.cmd(Command.PEXPIRE).arg(entityKey(owner, entity)).arg(ttl.toMillis()));
        }
    }

    @Override
    public void delete(String id) {
        Response fields = redis.send(Request.cmd(Command.HGETALL).arg(sessionKey(id)));
        String owner = field(fields, "owner");
        String entity = field(fields, "entity");
        redis.send(Request.cmd(Command.DEL).arg(sessionKey(id)).arg(filesKey(id)));
        if (owner != null && entity != null) {
            // Only if it still points at this session: a newer session of the entity keeps its index.
            Response current = redis.send(Request.cmd(Command.GET).arg(entityKey(owner, entity)));
            if (current != null && id.equals(current.toString())) {
                redis.send(Request.cmd(Command.DEL).arg(entityKey(owner, entity)));
            }
        }
    }

    @Override
    public void putFile(FileRecord file) {
        Response ttl = redis.send(Request.cmd(Command.PTTL).arg(sessionKey(file.sessionId())));
        long millis = ttl == null ? -2 : ttl.toLong();
        if (millis <= 0) {
            throw new StoreException.NotFound("session " + file.sessionId());
        }
        redis.send(Request.cmd(Command.HSET)
                .arg(filesKey(file.sessionId()))
                .arg(file.id())
                .arg(write(file)));
        redis.send(Request.cmd(Command.PEXPIRE).arg(filesKey(file.sessionId())).arg(millis));
    }

    @Override
    public Optional<FileRecord> file(String sessionId, String fileId) {
        Response value =
                redis.send(Request.cmd(Command.HGET).arg(filesKey(sessionId)).arg(fileId));
        return value == null ? Optional.empty() : Optional.of(read(value.toString()));
    }

    @Override
    public List<FileRecord> files(String sessionId) {
        Response values = redis.send(Request.cmd(Command.HVALS).arg(filesKey(sessionId)));
        List<FileRecord> out = new ArrayList<>();
        if (values != null) {
            for (Response value : values) {
                out.add(read(value.toString()));
            }
        }
        out.sort(Comparator.comparing(FileRecord::name).thenComparing(FileRecord::id));
        return out;
    }

    @Override
    public boolean removeFile(String sessionId, String fileId) {
        return redis.send(Request.cmd(Command.HDEL).arg(filesKey(sessionId)).arg(fileId))
                        .toLong()
                == 1;
    }

    @Override
    public void ping() {
        redis.send(Request.cmd(Command.PING));
    }

    private static String write(FileRecord file) {
        try {
            return JSON.writeValueAsString(file);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a file record", e);
        }
    }

    private static FileRecord read(String json) {
        try {
            return JSON.readValue(json, FileRecord.class);
        } catch (JsonProcessingException e) {
            throw new DependencyUnavailableException("corrupt file record in Redis: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * One SCAN over this prefix's session keys (1000 per round trip); a session hash counts as a session, its
     * files hash adds its records' sizes. A session expiring during the walk may or may not be counted.
     */
    @Override
    public SessionCensus census() {
        String pattern = prefix.replaceAll("([*?\\[\\]\\\\])", "\\\\$1") + "session:*";
        long sessionCount = 0;
        long fileCount = 0;
        long bytes = 0;
        String cursor = "0";
        do {
            Response page = redis.send(Request.cmd(Command.SCAN)
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(pattern)
                    .arg("COUNT")
                    .arg(1000));
            cursor = page.get(0).toString();
            for (Response key : page.get(1)) {
                String name = key.toString();
                if (!name.endsWith(":files")) {
                    sessionCount++;
                    continue;
                }
                Response values = redis.send(Request.cmd(Command.HVALS).arg(name));
                if (values != null) {
                    for (Response value : values) {
                        fileCount++;
                        bytes += read(value.toString()).size();
                    }
                }
            }
        } while (!cursor.equals("0"));
        return new SessionCensus(sessionCount, fileCount, bytes);
    }
}
