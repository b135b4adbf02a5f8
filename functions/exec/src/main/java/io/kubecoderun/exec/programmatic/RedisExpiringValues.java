package io.kubecoderun.exec.programmatic;

import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.Optional;

/**
 * {@link ExpiringValues} in Redis under {@code <prefix>ptc:}: {@code SET … PX}, {@code SET … NX PX},
 * {@code GETDEL} (Redis 6.2 or later).
 */
public final class RedisExpiringValues implements ExpiringValues {
    private final BlockingRedis redis;
    private final String prefix;

    public RedisExpiringValues(Redis redis, String keyPrefix) {
        this.redis = new BlockingRedis(redis);
        this.prefix = keyPrefix + "ptc:";
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        redis.send(
                Request.cmd(Command.SET).arg(prefix + key).arg(value).arg("PX").arg(ttl.toMillis()));
    }

    @Override
    public boolean putIfAbsent(String key, String value, Duration ttl) {
        Response reply = redis.send(Request.cmd(Command.SET)
                .arg(prefix + key)
                .arg(value)
                .arg("NX")
                .arg("PX")
                .arg(ttl.toMillis()));
        return reply != null && "OK".equals(reply.toString());
    }

    @Override
    public Optional<String> get(String key) {
        Response reply = redis.send(Request.cmd(Command.GET).arg(prefix + key));
        return reply == null ? Optional.empty() : Optional.of(reply.toString());
    }

    @Override
    public Optional<String> take(String key) {
        Response reply = redis.send(Request.cmd(Command.GETDEL).arg(prefix + key));
        return reply == null ? Optional.empty() : Optional.of(reply.toString());
    }

    @Override
    public void delete(String key) {
        redis.send(Request.cmd(Command.DEL).arg(prefix + key));
    }
}
