package io.kubecoderun.controller.app;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The controller app as deployed, on the local platform with one warm Python runner: it starts, keeps the pool,
 * reports ready and exports its metrics for Prometheus.
 */
@QuarkusTest
@TestProfile(ControllerAppTest.LocalPool.class)
class ControllerAppTest {

    public static class LocalPool implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of(
                    "KCR_PLATFORM",
                    "local",
                    "POD_POOL_PY",
                    "1",
                    "POD_POOL_JS",
                    "0",
                    "POD_POOL_BASH",
                    "0",
                    "KCR_RUNNER_JAR",
                    Path.of(System.getProperty("runner.jar", "../runner/target/runner.jar"))
                            .toString(),
                    "KCR_RUNNER_JVM_OPTIONS",
                    Path.of(System.getProperty("runner.jvm.options", "../runner/jvm.options"))
                            .toString(),
                    "quarkus.http.test-port",
                    "0");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private String get(String path) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return response.body();
    }

    @Test
    void keepsTheConfiguredPoolAndExportsItsMetrics() throws Exception {
        assertTrue(get("/q/health/ready").contains("\"status\": \"UP\""));
        String metrics = await("a warm Python runner in the metrics")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> get("/q/metrics"), text -> text.contains("kcr_pool_ready{language=\"py\"} 1.0"));
        assertTrue(metrics.contains("kcr_pool_ready{language=\"py\"} 1.0"), metrics);
        assertTrue(metrics.contains("kcr_pool_target{language=\"py\"} 1.0"), metrics);
        assertTrue(metrics.contains("kcr_pool_target{language=\"js\"} 0.0"), metrics);
        assertTrue(metrics.contains("kcr_pods_created_total 1.0"), metrics);
        assertTrue(metrics.contains("kcr_controller_active 1.0"), metrics);
    }
}
