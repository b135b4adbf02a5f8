package io.kubecoderun.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.registry.testing.RedisExtension;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RedisStoredKeysIT extends StoredKeysContract {
    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    String prefix;

    @Override
    StoredKeys newStore() {
        prefix = REDIS.prefix("k");
        return new RedisStoredKeys(REDIS.client(), prefix);
    }

    @Test
    void anotherReplicaSeesANewKeyAndItsRevocationAtOnce() {
        StoredKeys other = new RedisStoredKeys(REDIS.client(), prefix);
        StoredKeys.CreatedKey created = store.create("shared", T0);
        ApiKeys elsewhere = new ApiKeys(List.of(), null, other);
        assertEquals(
                "key:" + created.stored().id(),
                elsewhere.authenticate(created.key()).orElseThrow().id());
        other.delete(created.stored().id());
        assertEquals(
                true,
                new ApiKeys(List.of(), null, store).authenticate(created.key()).isEmpty());
    }
}
