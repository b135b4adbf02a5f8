package io.kubecoderun.core.state;

import io.kubecoderun.core.store.S3FileStore;
import io.kubecoderun.core.testing.S3Proxy;
import io.kubecoderun.registry.testing.RedisServer;
import io.vertx.redis.client.Redis;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import software.amazon.awssdk.services.s3.S3Client;

/** Production's states: Redis hot tier, S3 archive (s3proxy). */
class RedisS3StateStoreIT extends StateStoreContract {
    static RedisServer redisServer;
    static Redis redis;
    static S3Proxy s3proxy;
    static S3Client s3;
    static final AtomicInteger N = new AtomicInteger();

    @BeforeAll
    static void start() throws Exception {
        redisServer = RedisServer.start();
        s3proxy = S3Proxy.start();
        s3 = s3proxy.client();
        redis = redisServer.client();
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
        s3proxy.close();
        redisServer.close();
    }

    @Override
    StateStore newStore() {
        int n = N.incrementAndGet();
        S3FileStore archive = new S3FileStore(s3, "kcr-states-" + n);
        archive.ensureBucket();
        return new TieredStateStore(
                new RedisStateTier(redis, "st" + n + ":", Clock.systemUTC()), archive, Clock.systemUTC(), CAP, HOUR);
    }
}
