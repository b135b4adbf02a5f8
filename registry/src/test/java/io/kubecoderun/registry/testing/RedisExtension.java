package io.kubecoderun.registry.testing;

import io.vertx.redis.client.Redis;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real redis-server for one test class ({@code @RegisterExtension static final RedisExtension REDIS = ...}):
 * started before its tests, stopped after them, with a fresh key prefix per call so tests never share keys.
 */
public final class RedisExtension implements BeforeAllCallback, AfterAllCallback {
    private final AtomicInteger prefixes = new AtomicInteger();
    private RedisServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = RedisServer.start();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }

    public RedisServer server() {
        return server;
    }

    public Redis client() {
        return server.client();
    }

    /** {@code stem}, a number never handed out before in this class, and a colon: {@code "s12:"}. */
    public String prefix(String stem) {
        return stem + prefixes.incrementAndGet() + ":";
    }
}
