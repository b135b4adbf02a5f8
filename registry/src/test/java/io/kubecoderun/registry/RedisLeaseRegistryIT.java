package io.kubecoderun.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.registry.testing.RedisExtension;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The contract against a real redis-server, each test under its own key prefix; plus what only Redis can do. */
class RedisLeaseRegistryIT extends LeaseRegistryContract {
    @RegisterExtension
    static final RedisExtension REDIS = new RedisExtension();

    @Override
    LeaseRegistry newRegistry() {
        return new RedisLeaseRegistry(REDIS.client(), REDIS.prefix("test"));
    }

    /**
     * The window the waiter race test can rarely hit: the waiter's own BLPOP has timed out, an offer hands it the
     * pod before its cancel runs. The cancel must return that lease, or the pod is lost until its lease expires.
     */
    @Test
    void aCancelAfterTheHandOverReturnsTheLeaseInsteadOfLosingThePod() throws Exception {
        String prefix = REDIS.prefix("raw");
        RedisLeaseRegistry raw = new RedisLeaseRegistry(REDIS.client(), prefix);
        raw.stats("py"); // loads the library
        String key = prefix + "{pool:py}:";
        String channel = key + "events";
        Response waitReply = fcall("kcr_acquire", key, "waiter-1", "30000", "60000", channel);
        assertEquals("WAIT", waitReply.get(0).toString());
        PodRef pod = pod("py");
        assertEquals(
                "HANDED_TO_WAITER",
                fcall("kcr_offer", key, pod.name(), pod.encode(), "1", "", channel)
                        .toString());
        Response cancel = fcall("kcr_cancel", key, "waiter-1");
        assertEquals("WAIT_HIT", cancel.get(0).toString());
        assertTrue(cancel.get(1).toString().startsWith("waiter-1\t"));
        assertEquals(1, raw.stats("py").leased());
    }

    private static Response fcall(String function, String key, String... args) throws Exception {
        Request request = Request.cmd(Command.FCALL).arg(function).arg(1).arg(key);
        for (String arg : args) {
            request.arg(arg);
        }
        return REDIS.client()
                .send(request)
                .toCompletionStage()
                .toCompletableFuture()
                .get();
    }

    @Test
    void aRedisRestartedWithoutDataIsDetectedAndTheRegistryKeepsWorking() throws Exception {
        registry.markInitialized();
        registry.offer(pod("py"), epoch);
        REDIS.server().restartEmpty();
        // The pooled client reconnects; the library is gone with the data and must be loaded again.
        boolean initialized = await("the registry reaches the restarted Redis")
                .atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(50))
                .ignoreExceptionsInstanceOf(io.kubecoderun.registry.DependencyUnavailableException.class)
                .until(registry::initialized, answered -> true); // its first answer, whatever it is
        assertFalse(initialized, "the marker must be gone with the data");
        assertEquals(0, registry.stats("py").idle(), "the old idle pod is gone with the data");
        assertEquals(OfferOutcome.IDLE, registry.offer(pod("py"), registry.takeLeadership()));
        assertTrue(registry.acquire("py", TTL, Duration.ZERO).acquired());
    }
}
