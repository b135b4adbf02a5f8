package io.kubecoderun.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Health routes and /metrics/pool without credentials, with the pool filled by the in-process controller; the
 * session gauges at /q/metrics.
 */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneHealthTest extends StandaloneHttp {

    @SuppressWarnings("unchecked")
    private Map<String, Object> get(String path, int expected) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
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
        Map<String, Object> languages = await("a warm Python sandbox")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(
                        () -> (Map<String, Object>) get("/metrics/pool", 200).get("languages"),
                        counts -> ((Number) ((Map<String, Object>) counts.get("py")).get("ready")).intValue() >= 1);
        assertEquals(13, languages.size());
        Map<String, Object> py = (Map<String, Object>) languages.get("py");
        assertEquals(1, py.get("target"));
        assertEquals(1, ((Number) py.get("ready")).intValue());
        assertTrue(((Number) py.get("pods_created")).intValue() >= 1, "the controller's report: " + py);
        assertEquals(0, ((Map<String, Object>) languages.get("f90")).get("target"));
        for (Object language : languages.values()) {
            Map<String, Object> fields = (Map<String, Object>) language;
            for (String field : java.util.List.of(
                    "target",
                    "ready",
                    "leased",
                    "starting",
                    "hits",
                    "wait_hits",
                    "misses",
                    "cold_starts",
                    "pods_created",
                    "pods_deleted",
                    "acquire_ms")) {
                assertTrue(fields.containsKey(field), field + " in " + fields);
            }
        }
    }

    /** The census runs every second in this profile (KCR_CENSUS_INTERVAL); other tests' sessions only add. */
    @Test
    void theSessionGaugesCountAnUploadedFileAndItsBytes() throws Exception {
        await("the first census, a few seconds after start")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !Double.isNaN(gauge("kcr_session_file_bytes")));
        double bytesBefore = gauge("kcr_session_file_bytes");
        double filesBefore = gauge("kcr_session_files");
        byte[] content = new byte[4321];
        io.kubecoderun.core.testing.MultipartBody body =
                new io.kubecoderun.core.testing.MultipartBody().file("file", "counted.bin", content);
        HttpResponse<String> up = http.send(
                request("/upload", KEY)
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.build()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, up.statusCode(), up.body());
        await().atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(
                        () -> assertTrue(gauge("kcr_session_file_bytes") >= bytesBefore + 4321, "bytes counted"));
        assertTrue(gauge("kcr_session_files") >= filesBefore + 1, "file counted");
        assertTrue(gauge("kcr_sessions_active") >= 1);
        assertTrue(gauge("kcr_census_age_seconds") < 5, "the census is recent");
    }

    /** A gauge's value from the Prometheus text at /q/metrics; NaN before the first census. */
    private double gauge(String name) throws Exception {
        String text = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/q/metrics"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        for (String line : text.split("\n")) {
            if (line.startsWith(name + " ") || line.startsWith(name + "{")) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError(name + " not exported:\n" + text);
    }
}
