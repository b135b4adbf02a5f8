package io.kubecoderun.core.state;

import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.core.buffer.Buffer;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Hot states in Redis: the bytes at {@code <prefix>state:<sid>} with a TTL, the creation time beside them, and an
 * expiry index ({@code <prefix>state-expiry}, a sorted set) that the archiver reads.
 */
public final class RedisStateTier implements HotStateTier {
    private final BlockingRedis redis;
    private final String prefix;
    private final Clock clock;

    public RedisStateTier(Redis redis, String prefix, Clock clock) {
        this.redis = new BlockingRedis(redis);
        this.prefix = prefix;
        this.clock = clock;
    }

    private String key(String sessionId) {
        return prefix + "state:" + sessionId;
    }

    private String createdKey(String sessionId) {
        return key(sessionId) + ":created";
    }

    private String index() {
        return prefix + "state-expiry";
    }

    @Override
    public void put(String sessionId, byte[] stored, Instant createdAt, Duration ttl) {
        long expires = clock.instant().plus(ttl).toEpochMilli();
        redis.send(Request.cmd(Command.SET)
                .arg(key(sessionId))
                .arg(Buffer.buffer(stored))
                .arg("PX")
                .arg(ttl.toMillis()));
        redis.send(Request.cmd(Command.SET)
                .arg(createdKey(sessionId))
                .arg(createdAt.toEpochMilli())
                .arg("PX")
                .arg(ttl.toMillis()));
        redis.send(Request.cmd(Command.ZADD).arg(index()).arg(expires).arg(sessionId));
    }

    @Override
    public Optional<Entry> get(String sessionId) {
        Response bytes = redis.send(Request.cmd(Command.GET).arg(key(sessionId)));
        if (bytes == null) {
            return Optional.empty();
        }
        Response created = redis.send(Request.cmd(Command.GET).arg(createdKey(sessionId)));
        Response ttl = redis.send(Request.cmd(Command.PTTL).arg(key(sessionId)));
        Instant now = clock.instant();
        return Optional.of(new Entry(
                bytes.toBuffer().getBytes(),
                created == null ? now : Instant.ofEpochMilli(created.toLong()),
                now.plusMillis(Math.max(0, ttl == null ? 0 : ttl.toLong()))));
    }

    @Override
    public boolean delete(String sessionId) {
        redis.send(Request.cmd(Command.ZREM).arg(index()).arg(sessionId));
        return redis.send(Request.cmd(Command.DEL).arg(key(sessionId)).arg(createdKey(sessionId)))
                        .toLong()
                > 0;
    }

    @Override
    public List<String> expiringBefore(Instant until) {
        long now = clock.millis();
        // Entries already past their expiry are gone from Redis; drop them from the index too.
        redis.send(
                Request.cmd(Command.ZREMRANGEBYSCORE).arg(index()).arg("-inf").arg("(" + now));
        Response ids = redis.send(
                Request.cmd(Command.ZRANGEBYSCORE).arg(index()).arg(now).arg(until.toEpochMilli()));
        List<String> out = new ArrayList<>();
        if (ids != null) {
            for (Response id : ids) {
                out.add(id.toString());
            }
        }
        return out;
    }
}
