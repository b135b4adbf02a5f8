package io.kubecoderun.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Stored keys in Redis: {@code <prefix>apikey:<sha256 hex>} → {@code {"id","name","created"}} for the one lookup
 * a request with such a key costs, and {@code <prefix>apikeys} (a hash id → sha256 hex) to list and revoke. No
 * TTLs: a key lives until deleted. A revoked key fails on every replica from the next request on.
 */
public final class RedisStoredKeys implements StoredKeys {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final BlockingRedis redis;
    private final String prefix;

    public RedisStoredKeys(Redis redis, String prefix) {
        this.redis = new BlockingRedis(redis);
        this.prefix = prefix;
    }

    private String index() {
        return prefix + "apikeys";
    }

    private String lookup(String hashHex) {
        return prefix + "apikey:" + hashHex;
    }

    @Override
    public CreatedKey create(String name, Instant now) {
        if (redis.send(Request.cmd(Command.HLEN).arg(index())).toLong() >= MAX_KEYS) {
            throw new LimitReachedException();
        }
        String key = StoredKeys.newKey();
        byte[] hash = ApiKeys.sha256(key);
        String hex = HexFormat.of().formatHex(hash);
        StoredKey stored = new StoredKey(ApiKeys.fingerprint(hash), name, now);
        ObjectNode json =
                JSON.createObjectNode().put("id", stored.id()).put("name", name).put("created", now.toEpochMilli());
        // The lookup first, then the index: the key is not handed out until both are written.
        redis.send(Request.cmd(Command.SET).arg(lookup(hex)).arg(json.toString()));
        redis.send(Request.cmd(Command.HSET).arg(index()).arg(stored.id()).arg(hex));
        return new CreatedKey(stored, key);
    }

    @Override
    public Optional<StoredKey> findByHash(byte[] hash) {
        Response value =
                redis.send(Request.cmd(Command.GET).arg(lookup(HexFormat.of().formatHex(hash))));
        return value == null ? Optional.empty() : Optional.of(parse(value.toString()));
    }

    @Override
    public List<StoredKey> list() {
        Response hashes = redis.send(Request.cmd(Command.HVALS).arg(index()));
        List<StoredKey> keys = new ArrayList<>();
        if (hashes != null) {
            for (Response hex : hashes) {
                Response value = redis.send(Request.cmd(Command.GET).arg(lookup(hex.toString())));
                if (value != null) {
                    keys.add(parse(value.toString()));
                }
            }
        }
        keys.sort(Comparator.comparing(StoredKey::createdAt).thenComparing(StoredKey::id));
        return keys;
    }

    @Override
    public boolean delete(String id) {
        Response hex = redis.send(Request.cmd(Command.HGET).arg(index()).arg(id));
        if (hex == null) {
            return false;
        }
        redis.send(Request.cmd(Command.DEL).arg(lookup(hex.toString())));
        redis.send(Request.cmd(Command.HDEL).arg(index()).arg(id));
        return true;
    }

    private static StoredKey parse(String json) {
        try {
            JsonNode node = JSON.readTree(json);
            return new StoredKey(
                    node.path("id").asText(),
                    node.path("name").asText(),
                    Instant.ofEpochMilli(node.path("created").asLong()));
        } catch (IOException e) {
            throw new DependencyUnavailableException("corrupt stored key in Redis: " + e.getMessage(), e);
        }
    }
}
