package io.kubecoderun.registry.redis;

import io.kubecoderun.registry.DependencyUnavailableException;
import io.vertx.core.Future;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Blocking calls on the Vert.x Redis client, from worker or virtual threads (never an event loop): one place that
 * turns a failed, refused or slow Redis into {@link DependencyUnavailableException} (503 with Retry-After).
 */
public final class BlockingRedis {
    /** A Redis command that takes longer than this is treated as Redis being down. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(5);

    private final Redis redis;

    public BlockingRedis(Redis redis) {
        this.redis = redis;
    }

    public Redis client() {
        return redis;
    }

    public Response send(Request request) {
        return await(redis.send(request), COMMAND_TIMEOUT);
    }

    public RedisConnection connect() {
        return await(redis.connect(), COMMAND_TIMEOUT);
    }

    public static <T> T await(Future<T> future, Duration timeout) {
        try {
            return future.toCompletionStage().toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DependencyUnavailableException("interrupted waiting for Redis", e);
        } catch (ExecutionException e) {
            throw new DependencyUnavailableException(
                    "Redis failed: " + e.getCause().getMessage(), e.getCause());
        } catch (TimeoutException e) {
            throw new DependencyUnavailableException("Redis did not answer within " + timeout, e);
        }
    }
}
