package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A principal over its rate limit gets API.md's 429 on every route, the exec CloudEvent included; others do not. */
@QuarkusTest
@TestProfile(StandaloneRateLimitTest.Limited.class)
class StandaloneRateLimitTest extends StandaloneHttp {

    /** Three requests, then one every ten seconds; no warm pools (nothing here runs code). */
    public static class Limited extends StandaloneApiTest.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("RATE_LIMIT_PER_MINUTE", "6");
            config.put("RATE_LIMIT_BURST", "3");
            config.put("POD_POOL_PY", "0");
            return config;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFourthRequestOfABurstIs429WithTheWaitAndAnotherKeyIsUnaffected() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, listing(KEY).statusCode(), "request " + i + " of the burst");
        }
        HttpResponse<String> refused = listing(KEY);
        assertEquals(429, refused.statusCode(), refused.body());
        Map<String, Object> body = json.readValue(refused.body(), Map.class);
        assertEquals("rate_limited", body.get("error"));
        assertEquals(10, ((Number) body.get("retry_after_seconds")).intValue());
        assertEquals("10", refused.headers().firstValue("Retry-After").orElseThrow());

        HttpResponse<String> event = http.send(
                binaryEvent(
                        "evt-limited", "/agents/limited", "kcrapikey", KEY, "{\"lang\":\"py\",\"code\":\"print(1)\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(429, event.statusCode(), "a limited event is refused so the broker retries: " + event.body());

        assertNotEquals(429, listing(StandaloneApiTest.OTHER_KEY).statusCode(), "another key has its own bucket");
        assertEquals(
                200,
                http.send(request("/health", "none").GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode(),
                "health needs no credentials and is not limited");
    }

    private HttpResponse<String> listing(String key) throws Exception {
        return http.send(request("/files/" + "s".repeat(21), key).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
