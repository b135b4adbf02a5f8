package io.kubecoderun.standalone;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Health routes and /metrics/pool without credentials, with the pool filled by the in-process controller. */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneHealthTest {
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String path, int expected) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .GET().build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), path + ": " + response.body());
        return json.readValue(response.body(), Map.class);
    }

    @Test
    @SuppressWarnings("unchecked")
    void healthReadinessAndDependenciesAnswerWithoutCredentials() throws Exception {
        assertEquals("healthy", get("/health", 200).get("status"));
        assertEquals("ready", get("/v1/ready", 200).get("status"));
        Map<String, Object> detailed = get("/health/detailed", 200);
        Map<String, Object> deps = (Map<String, Object>) detailed.get("dependencies");
        assertEquals("healthy", ((Map<String, Object>) deps.get("redis")).get("status"));
        assertEquals("healthy", ((Map<String, Object>) deps.get("storage")).get("status"));
        assertEquals("not_used", ((Map<String, Object>) deps.get("kubernetes")).get("status"));
        assertTrue(((Map<String, Object>) deps.get("storage")).containsKey("latency_ms"));
        assertEquals("healthy", get("/health/minio", 200).get("status"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void poolMetricsListEveryLanguageWithItsTarget() throws Exception {
        long until = System.currentTimeMillis() + 60_000;
        Map<String, Object> languages = (Map<String, Object>) get("/metrics/pool", 200).get("languages");
        while (((Number) ((Map<String, Object>) languages.get("py")).get("ready")).intValue() < 1
                && System.currentTimeMillis() < until) {
            Thread.sleep(100);
            languages = (Map<String, Object>) get("/metrics/pool", 200).get("languages");
        }
        assertEquals(13, languages.size());
        Map<String, Object> py = (Map<String, Object>) languages.get("py");
        assertEquals(1, py.get("target"));
        assertEquals(1, ((Number) py.get("ready")).intValue());
        assertTrue(((Number) py.get("pods_created")).intValue() >= 1, "the controller's report: " + py);
        assertEquals(0, ((Map<String, Object>) languages.get("f90")).get("target"));
        for (Object language : languages.values()) {
            Map<String, Object> fields = (Map<String, Object>) language;
            for (String field : java.util.List.of("target", "ready", "leased", "starting", "hits", "wait_hits", "misses",
                    "cold_starts", "pods_created", "pods_deleted", "acquire_ms")) {
                assertTrue(fields.containsKey(field), field + " in " + fields);
            }
        }
    }
}
