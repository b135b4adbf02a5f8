package io.kubecoderun.tests;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.testing.MultipartBody;
import io.kubecoderun.core.testing.S3Proxy;
import io.kubecoderun.registry.testing.RedisServer;
import io.kubecoderun.tests.deploy.PublicRoutes;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The production shape on loopback: the pool controller (local platform, real sandboxed runners) and the exec,
 * files, state and health functions, each its own JVM started from its {@code quarkus-app} build, meeting only
 * through a real Redis (registry, sessions, state) and a real S3 API (s3proxy) — as on Knative, where nothing is
 * shared but those two. A call to one function that depends on another's work (an upload mounted into an exec,
 * an exec's output downloaded, state read back) proves they agree on every key and object name.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class ProductionShapeIT {
    private static final String KEY = "production-shape-key-0123456789";
    private static final String OTHER_KEY = "production-shape-other-key-98765";
    private static final String MASTER_KEY = "production-shape-master-key-4242";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, App> APPS = new LinkedHashMap<>();
    private static RedisServer redis;
    private static S3Proxy s3;
    private static Path work;

    private record App(String name, int port, Process process, Path log) {
        String url(String path) {
            return "http://127.0.0.1:" + port + path;
        }

        String logTail() {
            try {
                List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
                return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    @BeforeAll
    static void startEverything() throws Exception {
        Path root =
                Path.of(System.getProperty("kcr.root", "..")).toAbsolutePath().normalize();
        work = Files.createTempDirectory("kcr-production-shape");
        redis = RedisServer.start();
        s3 = S3Proxy.start();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("REDIS_URL", redis.uri());
        env.put("MINIO_ENDPOINT", s3.endpoint());
        env.put("MINIO_ACCESS_KEY", "kcr-test");
        env.put("MINIO_SECRET_KEY", "kcr-test-secret");
        env.put("MINIO_BUCKET", "kcr-production-shape");
        env.put("MINIO_SECURE", "false");
        env.put("API_KEYS", KEY + "," + OTHER_KEY);
        env.put("KCR_CENSUS_INTERVAL", "1s"); // the health function's session gauges
        env.put("MASTER_API_KEY", MASTER_KEY);

        Map<String, String> controller = new LinkedHashMap<>(env);
        controller.put("KCR_PLATFORM", "local");
        // Only the controller knows the pool size; the health function (default 5) must report the controller's.
        controller.put("POD_POOL_PY", "3");
        controller.put(
                "KCR_RUNNER_JAR", root.resolve("runner/target/runner.jar").toString());
        controller.put(
                "KCR_RUNNER_JVM_OPTIONS", root.resolve("runner/jvm.options").toString());
        controller.put(
                "KCR_LOCAL_DIR", Files.createDirectories(work.resolve("pods")).toString());
        start("pool-controller", root.resolve("pool-controller"), controller);
        for (String function : List.of("exec", "files", "state", "health")) {
            start(function, root.resolve("functions").resolve(function), env);
        }
        // A second exec replica, as Knative scales them: programmatic round trips may land on either.
        start("exec#2", root.resolve("functions").resolve("exec"), env);
        for (App app : APPS.values()) {
            awaitHttp(app, app.name().equals("health") ? "/ready" : "/q/health/ready");
        }
        awaitWarmPython();
    }

    @AfterAll
    static void stopEverything() throws Exception {
        for (App app : APPS.values()) {
            app.process().destroy();
        }
        for (App app : APPS.values()) {
            if (!app.process().waitFor(20, java.util.concurrent.TimeUnit.SECONDS)) {
                app.process().destroyForcibly();
            }
        }
        if (s3 != null) {
            s3.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void anUploadIsReadByAnExecWhoseOutputsDownloadByteForByteFromTheFilesFunction() throws Exception {
        byte[] csv = "city,temp\nOslo,3\nLima,19\nCairo,24\n".getBytes(StandardCharsets.UTF_8);
        MultipartBody body =
                new MultipartBody().field("entity_id", "shape-agent").file("file", "temps.csv", csv);
        Map<String, Object> upload = json(send(
                HttpRequest.newBuilder(URI.create(app("files").url("/upload")))
                        .header("x-api-key", KEY)
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.build())),
                200));
        String session = (String) upload.get("session_id");
        String fileId = (String)
                ((List<Map<String, Object>>) upload.get("files")).get(0).get("fileId");

        String code = """
                import os
                import pandas as pd
                os.makedirs('report', exist_ok=True)
                df = pd.read_csv('temps.csv')
                df[df.temp > 10].to_csv('warm.csv', index=False)
                with open('report/summary.txt', 'w') as f:
                    f.write(f"mean={df.temp.mean():.1f}")
                print(len(df))
                """;
        Map<String, Object> result = exec(
                KEY,
                Map.of(
                        "lang",
                        "py",
                        "code",
                        code,
                        "entity_id",
                        "shape-agent",
                        "files",
                        List.of(Map.of("id", fileId, "session_id", session, "name", "temps.csv"))));
        assertEquals("3\n", result.get("stdout"), String.valueOf(result));
        assertEquals(session, result.get("session_id"), "the session of the uploaded file is continued");
        Map<String, byte[]> expected = Map.of(
                "warm.csv", "city,temp\nLima,19\nCairo,24\n".getBytes(StandardCharsets.UTF_8),
                "report/summary.txt", "mean=15.3".getBytes(StandardCharsets.UTF_8));
        List<Map<String, Object>> outputs = (List<Map<String, Object>>) result.get("files");
        assertEquals(
                expected.keySet(),
                outputs.stream().map(f -> (String) f.get("name")).collect(java.util.stream.Collectors.toSet()),
                String.valueOf(outputs));
        for (Map<String, Object> output : outputs) {
            byte[] downloaded = send(
                            HttpRequest.newBuilder(URI.create(
                                            app("files").url("/download/" + session + "/" + output.get("id"))))
                                    .header("x-api-key", KEY)
                                    .GET(),
                            200)
                    .body();
            assertArrayEquals(expected.get((String) output.get("name")), downloaded, (String) output.get("name"));
            send(
                    HttpRequest.newBuilder(
                                    URI.create(app("files").url("/download/" + session + "/" + output.get("id"))))
                            .header("x-api-key", OTHER_KEY)
                            .GET(),
                    404);
        }
        String listing = new String(
                send(
                                HttpRequest.newBuilder(URI.create(app("files").url("/files/" + session)))
                                        .header("x-api-key", KEY)
                                        .GET(),
                                200)
                        .body(),
                StandardCharsets.UTF_8);
        assertTrue(
                listing.contains("temps.csv") && listing.contains("warm.csv") && listing.contains("summary.txt"),
                listing);
    }

    @Test
    void pythonStateSavedByTheExecFunctionIsServedByTheStateFunction() throws Exception {
        Map<String, Object> first =
                exec(KEY, Map.of("lang", "py", "code", "counter = 41\ndef twice(x):\n    return 2 * x"));
        String session = (String) first.get("session_id");
        assertEquals(Boolean.TRUE, first.get("has_state"), String.valueOf(first));
        Map<String, Object> second =
                exec(KEY, Map.of("lang", "py", "session_id", session, "code", "counter += 1\nprint(twice(counter))"));
        assertEquals("84\n", second.get("stdout"), String.valueOf(second));

        HttpResponse<byte[]> state = send(
                HttpRequest.newBuilder(URI.create(app("state").url("/state/" + session)))
                        .header("x-api-key", KEY)
                        .GET(),
                200);
        assertEquals(2, state.body()[0], "the stored state is LZ4 framed with version byte 2");
        String etag = state.headers().firstValue("ETag").orElseThrow();
        assertTrue(etag.contains((String) second.get("state_hash")), etag + " vs " + second.get("state_hash"));
        send(
                HttpRequest.newBuilder(URI.create(app("state").url("/state/" + session)))
                        .header("x-api-key", OTHER_KEY)
                        .GET(),
                404);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theHealthFunctionSeesTheSharedRedisStorageAndThePoolTheControllerFills() throws Exception {
        Map<String, Object> detailed = json(send(
                HttpRequest.newBuilder(URI.create(app("health").url("/health/detailed")))
                        .header("x-api-key", KEY)
                        .GET(),
                200));
        Map<String, Map<String, Object>> dependencies = (Map<String, Map<String, Object>>) detailed.get("dependencies");
        assertEquals("healthy", dependencies.get("redis").get("status"), String.valueOf(detailed));
        assertEquals("healthy", dependencies.get("storage").get("status"), String.valueOf(detailed));

        exec(KEY, Map.of("lang", "py", "code", "print('counted')"));
        Map<String, Object> pool = json(send(
                HttpRequest.newBuilder(URI.create(app("health").url("/metrics/pool")))
                        .header("x-api-key", KEY)
                        .GET(),
                200));
        Map<String, Object> python = ((Map<String, Map<String, Object>>) pool.get("languages")).get("py");
        assertEquals(
                3,
                ((Number) python.get("target")).intValue(),
                "the controller's target, reported through Redis: " + python);
        assertTrue(
                ((Number) python.get("hits")).intValue() >= 1,
                "a lease by the exec function is counted in Redis: " + python);
        assertTrue(((Number) python.get("pods_created")).intValue() >= 3, "the controller's creations: " + python);
        assertTrue(
                python.containsKey("starting")
                        && python.containsKey("pods_deleted")
                        && python.containsKey("cold_starts"),
                String.valueOf(python));
        Map<String, Object> acquire = (Map<String, Object>) python.get("acquire_ms");
        assertTrue(((Number) acquire.get("samples")).intValue() >= 1, "the exec function's acquisitions: " + acquire);
        double p50 = ((Number) acquire.get("p50")).doubleValue();
        assertTrue(p50 > 0 && p50 <= ((Number) acquire.get("p99")).doubleValue(), String.valueOf(acquire));

        // The session census over the shared Redis: the exec above made a session.
        await("session gauge at the health function")
                .atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(250))
                .until(ProductionShapeIT::healthCountsASession);
    }

    private static boolean healthCountsASession() throws Exception {
        String metrics = new String(
                send(
                                HttpRequest.newBuilder(URI.create(app("health").url("/q/metrics")))
                                        .GET(),
                                200)
                        .body(),
                StandardCharsets.UTF_8);
        return metrics.lines()
                .anyMatch(l -> l.startsWith("kcr_sessions_active ")
                        && !l.endsWith("NaN")
                        && Double.parseDouble(l.substring(l.indexOf(' ') + 1)) >= 1);
    }

    @Test
    void theExecFunctionExportsExecutionAndLeaseMetricsForPrometheus() throws Exception {
        exec(KEY, Map.of("lang", "py", "code", "print('measured')"));
        send(
                HttpRequest.newBuilder(URI.create(app("exec").url("/exec")))
                        .header("x-api-key", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"lang\":\"cobol\",\"code\":\"x\"}")),
                400);
        String metrics = new String(
                send(
                                HttpRequest.newBuilder(URI.create(app("exec").url("/q/metrics")))
                                        .GET(),
                                200)
                        .body(),
                StandardCharsets.UTF_8);
        assertTrue(
                metrics.lines()
                        .anyMatch(
                                l -> l.matches("kcr_executions_total\\{language=\"py\",status=\"ok\"} [1-9][0-9.E]*")),
                metrics);
        assertTrue(
                metrics.lines()
                        .anyMatch(l -> l.matches(
                                "kcr_executions_total\\{language=\"invalid\",status=\"unsupported_language\"} 1\\.0")),
                "a refusal is counted without the caller's text as a label");
        assertTrue(
                metrics.lines()
                        .anyMatch(l -> l.startsWith(
                                "kcr_lease_acquire_seconds_count{language=\"py\",outcome=\"hit\",source=\"pool\"}")),
                metrics);
        assertTrue(metrics.contains("kcr_execution_seconds_bucket{language=\"py\",status=\"ok\",le="), metrics);
        assertTrue(metrics.contains("kcr_execution_seconds{language=\"py\",status=\"ok\",quantile=\"0.99\"}"), metrics);
    }

    /** Redelivered to the other exec replica, the event gets its first answer from Redis and does not run again. */
    @Test
    @SuppressWarnings("unchecked")
    void theExecFunctionAnswersABinaryModeCloudEventOnceAcrossReplicas() throws Exception {
        String id = "shape-" + java.util.UUID.randomUUID();
        String code = "{\"lang\":\"bash\",\"code\":\"echo $((6 * 7)) $RANDOM$RANDOM\"}";
        HttpResponse<byte[]> response = send(event(app("exec"), id, code), 200);
        assertEquals(
                "io.kubecoderun.exec.result",
                response.headers().firstValue("ce-type").orElseThrow());
        Map<String, Object> first = json(response);
        assertTrue(((String) first.get("stdout")).startsWith("42 "), first.toString());
        HttpResponse<byte[]> again = send(event(app("exec#2"), id, code), 200);
        assertEquals(first, json(again), "the other replica answers the redelivery with the first answer");
        assertEquals(
                response.headers().firstValue("ce-id").orElseThrow(),
                again.headers().firstValue("ce-id").orElseThrow());
    }

    private static HttpRequest.Builder event(App exec, String id, String body) {
        return HttpRequest.newBuilder(URI.create(exec.url("/")))
                .header("ce-specversion", "1.0")
                .header("ce-type", "io.kubecoderun.exec.request")
                .header("ce-source", "/agents/shape")
                .header("ce-id", id)
                .header("ce-kcrapikey", KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    /** A key created at the health function's admin API works at once at the files function, until revoked. */
    @Test
    @SuppressWarnings("unchecked")
    void aStoredKeyCreatedAtTheHealthFunctionIsAcceptedAndRevokedAcrossFunctions() throws Exception {
        Map<String, Object> created = json(send(
                HttpRequest.newBuilder(URI.create(app("health").url("/admin/keys")))
                        .header("x-api-key", MASTER_KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"shape\"}")),
                201));
        String key = (String) created.get("key");
        URI listing = URI.create(app("files").url("/files/V1StGXR8_Z5jdHi6B-myT"));
        send(HttpRequest.newBuilder(listing).header("x-api-key", key).GET(), 200);
        send(
                HttpRequest.newBuilder(URI.create(app("health").url("/admin/keys/" + created.get("id"))))
                        .header("x-api-key", MASTER_KEY)
                        .DELETE(),
                204);
        send(HttpRequest.newBuilder(listing).header("x-api-key", key).GET(), 401);
    }

    /**
     * knative/'s HTTPRoute sends every public route of API.md, at the root and under /v1, to a function; here each
     * is sent to that function's running process, which must serve it: anything but "no such route" (404) or 405.
     * Ids need not exist (a missing session is a served 404 of its own). The control at the end shows a route sent
     * to the wrong function is caught.
     */
    @Test
    void everyPublicRouteIsRoutedByTheManifestsToAFunctionThatServesIt() throws Exception {
        var route = PublicRoutes.baseRoute();
        List<String> misrouted = new ArrayList<>();
        for (PublicRoutes.Route r : PublicRoutes.ALL) {
            String path = PublicRoutes.concrete(r.path(), "V1StGXR8_Z5jdHi6B-myT", "fA1bC2dE3fG4hI5jK6lM7");
            for (String prefixed : List.of(path, "/v1" + path)) {
                String function = PublicRoutes.functionFor(route, prefixed)
                        .orElseThrow(() -> new AssertionError(prefixed + " is not routed"));
                HttpResponse<byte[]> response = call(function, r.method(), prefixed);
                if (!served(response)) {
                    misrouted.add(r.method() + " " + prefixed + " -> " + function + ": " + response.statusCode() + " "
                            + new String(response.body(), StandardCharsets.UTF_8));
                }
            }
        }
        assertEquals(List.of(), misrouted);
        assertTrue(
                !served(call("files", "POST", "/exec")) && !served(call("exec", "GET", "/health/redis")),
                "the check tells a function that does not serve a route");
    }

    private static HttpResponse<byte[]> call(String function, String method, String path) throws Exception {
        HttpRequest.BodyPublisher body =
                method.equals("POST") ? HttpRequest.BodyPublishers.ofString("{}") : HttpRequest.BodyPublishers.noBody();
        HttpRequest.Builder request = HttpRequest.newBuilder(
                        URI.create(app(function).url(path)))
                .header("x-api-key", KEY)
                .header("Content-Type", "application/json")
                .header("Origin", "https://chat.example")
                .header("Access-Control-Request-Method", "GET")
                .method(method, body)
                .timeout(Duration.ofSeconds(30));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static boolean served(HttpResponse<byte[]> response) {
        String body = new String(response.body(), StandardCharsets.UTF_8);
        return response.statusCode() != 405 && !(response.statusCode() == 404 && body.contains("no such route"));
    }

    private static Map<String, Object> exec(String key, Map<String, Object> request) throws Exception {
        return json(send(
                HttpRequest.newBuilder(URI.create(app("exec").url("/exec")))
                        .header("x-api-key", key)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(request))),
                200));
    }

    private static HttpResponse<byte[]> send(HttpRequest.Builder request, int expected) throws Exception {
        HttpResponse<byte[]> response =
                HTTP.send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != expected) {
            StringBuilder logs = new StringBuilder();
            for (App app : APPS.values()) {
                logs.append("\n--- ").append(app.name()).append(" ---\n").append(app.logTail());
            }
            throw new AssertionError(request.build().uri() + ": expected " + expected + ", got " + response.statusCode()
                    + " " + new String(response.body(), StandardCharsets.UTF_8) + logs);
        }
        return response;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<byte[]> response) throws IOException {
        return JSON.readValue(response.body(), Map.class);
    }

    private static App app(String name) {
        return APPS.get(name);
    }

    private static void start(String name, Path module, Map<String, String> env) throws IOException {
        Path jar = module.resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.exists(jar)) {
            throw new IOException(jar + " is missing: build the apps first (mvnw package)");
        }
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path log = work.resolve(name + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-Dquarkus.http.host=127.0.0.1",
                "-jar",
                jar.toString()));
        ProcessBuilder builder = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .directory(work.toFile());
        builder.environment().putAll(env);
        builder.environment().put("PORT", Integer.toString(port));
        APPS.put(name, new App(name, port, builder.start(), log));
    }

    /**
     * A programmatic execution started on one exec replica is continued on the other and back, as requests land
     * behind Knative: the execution's record, token and request ids live in Redis, never in one replica's memory.
     * Another principal's continuation is 404 and leaves the token to its owner; a cancel sent to the replica that
     * did not start it stops the waiting program.
     */
    @Test
    @SuppressWarnings("unchecked")
    void programmaticRoundTripsMoveBetweenExecReplicas() throws Exception {
        List<Map<String, Object>> tools =
                List.of(Map.of("name", "add-numbers", "description", "a + b", "parameters", Map.of("type", "object")));
        Map<String, Object> start = new LinkedHashMap<>();
        start.put("code", "r = await add_numbers(a=1, b=2)\ns = await add_numbers(a=r, b=10)\nprint('total', s)");
        start.put("tools", tools);
        start.put("timeout", 15000);
        Map<String, Object> answer = programmatic(app("exec"), KEY, start, "shape-start-1", 200);
        assertEquals("tool_call_required", answer.get("status"), String.valueOf(answer));
        Map<String, Object> call = ((List<Map<String, Object>>) answer.get("tool_calls")).get(0);
        assertEquals(Map.of("a", 1, "b", 2), call.get("input"));

        Map<String, Object> stolen = continuation(answer, call, 3);
        Map<String, Object> refused = programmatic(app("exec#2"), OTHER_KEY, stolen, "shape-stranger-1", 404);
        assertEquals("continuation_not_found", refused.get("error_type"));

        answer = programmatic(app("exec#2"), KEY, continuation(answer, call, 3), "shape-next-1", 200);
        assertEquals("tool_call_required", answer.get("status"), "continued on the other replica: " + answer);
        call = ((List<Map<String, Object>>) answer.get("tool_calls")).get(0);
        assertEquals(Map.of("a", 3, "b", 10), call.get("input"));
        answer = programmatic(app("exec"), KEY, continuation(answer, call, 13), "shape-last-1", 200);
        assertEquals("completed", answer.get("status"), String.valueOf(answer));
        assertEquals("total 13\n", answer.get("stdout"));

        Map<String, Object> waitForever = new LinkedHashMap<>(start);
        waitForever.put("code", "await add_numbers(a=0, b=0)\nprint('never')");
        Map<String, Object> waiting = programmatic(app("exec"), KEY, waitForever, "shape-cancel-me", 200);
        assertEquals("tool_call_required", waiting.get("status"));
        HttpResponse<byte[]> cancelled = send(
                HttpRequest.newBuilder(URI.create(app("exec#2").url("/exec/programmatic/cancel")))
                        .header("x-api-key", KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\":\"shape-cancel-me\"}")),
                202);
        assertEquals("cancelled", json(cancelled).get("status"));
        Map<String, Object> pending = ((List<Map<String, Object>>) waiting.get("tool_calls")).get(0);
        programmatic(app("exec"), KEY, continuation(waiting, pending, 0), "shape-after-cancel", 404);
    }

    private static Map<String, Object> continuation(
            Map<String, Object> answer, Map<String, Object> call, Object result) {
        Map<String, Object> toolResult = new LinkedHashMap<>();
        toolResult.put("call_id", call.get("id"));
        toolResult.put("result", result);
        toolResult.put("is_error", false);
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("continuation_token", answer.get("continuation_token"));
        next.put("tool_results", List.of(toolResult));
        return next;
    }

    private static Map<String, Object> programmatic(
            App app, String key, Map<String, Object> body, String requestId, int expected) throws Exception {
        return json(send(
                HttpRequest.newBuilder(URI.create(app.url("/v1/exec/programmatic")))
                        .header("x-api-key", key)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "LibreChat/1.0")
                        .header("X-LibreChat-Code-Request-ID", requestId)
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))),
                expected));
    }

    /**
     * With Redis down, every function's readiness probe (the path its manifest names) answers 503 — the revision
     * stops taking traffic it cannot serve — while liveness stays 200 (restarting would not bring Redis back); once
     * Redis is back, readiness is 200 again. Runs last: Redis comes back empty.
     */
    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE)
    void readinessFollowsRedisAndLivenessDoesNot() throws Exception {
        redis.stop();
        try {
            for (String name : List.of("exec", "files", "state", "health")) {
                App function = app(name);
                await("the readiness of " + name + " with Redis down")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> probe(function, "/q/health/ready") == 503);
                assertEquals(200, probe(function, "/q/health/live"), name + " stays live");
            }
        } finally {
            redis.startAgain();
        }
        for (String name : List.of("exec", "files", "state", "health")) {
            App function = app(name);
            await("the readiness of " + name + " with Redis back")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> probe(function, "/q/health/ready") == 200);
        }
    }

    private static int probe(App app, String path) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(app.url(path)))
                                .timeout(Duration.ofSeconds(5))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    /**
     * Each running app answers 200 on exactly the paths its manifest's readiness and liveness probes name, as the
     * kubelet calls them. The failure this pins: the health function had no smallrye-health, so it answered 404 on
     * {@code /q/health/ready} and {@code /q/health/live}; on a cluster its revision never became Ready and its
     * liveness probe kept restarting it, while this test polled {@code /ready} instead.
     */
    @Test
    void everyAppAnswersTheProbesItsManifestNames() throws Exception {
        for (App app : APPS.values()) {
            Path manifest = io.kubecoderun.tests.deploy.Manifests.knative()
                    .resolve("base")
                    .resolve(app.name().split("#")[0] + ".yaml");
            List<String> probed = new ArrayList<>();
            for (var doc : io.kubecoderun.tests.deploy.Manifests.documents(
                    io.kubecoderun.tests.deploy.Manifests.readString(manifest))) {
                if (!List.of("Service", "Deployment").contains(doc.path("kind").asText())) {
                    continue;
                }
                var container = doc.path("spec")
                        .path("template")
                        .path("spec")
                        .path("containers")
                        .path(0);
                for (String probe : List.of("readinessProbe", "livenessProbe")) {
                    String path =
                            container.path(probe).path("httpGet").path("path").asText();
                    assertTrue(!path.isEmpty(), app.name() + " has a " + probe + " in " + manifest);
                    HttpResponse<String> answer = HTTP.send(
                            HttpRequest.newBuilder(URI.create(app.url(path)))
                                    .timeout(Duration.ofSeconds(5))
                                    .GET()
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(
                            200, answer.statusCode(), app.name() + " " + probe + " " + path + ": " + answer.body());
                    probed.add(path);
                }
            }
            assertEquals(2, probed.size(), app.name() + " probes " + probed);
        }
    }

    private static void awaitHttp(App app, String path) {
        AtomicReference<String> last = new AtomicReference<>("no answer");
        try {
            await().atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        if (!app.process().isAlive()) {
                            throw new IllegalStateException(
                                    app.name() + " exited with " + app.process().exitValue() + ":\n" + app.logTail());
                        }
                        try {
                            HttpResponse<String> response = HTTP.send(
                                    HttpRequest.newBuilder(URI.create(app.url(path)))
                                            .timeout(Duration.ofSeconds(5))
                                            .GET()
                                            .build(),
                                    HttpResponse.BodyHandlers.ofString());
                            if (response.statusCode() == 200) {
                                return true;
                            }
                            last.set(response.statusCode() + " " + response.body());
                        } catch (IOException notYet) {
                            last.set(notYet.toString());
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException notReady) {
            throw new IllegalStateException(
                    app.name() + " not ready at " + path + " within " + START_TIMEOUT + " (last: " + last.get() + "):\n"
                            + app.logTail(),
                    notReady);
        }
    }

    @SuppressWarnings("unchecked")
    private static void awaitWarmPython() {
        AtomicReference<Object> python = new AtomicReference<>();
        try {
            await().atMost(START_TIMEOUT)
                    .pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(250))
                    .until(() -> {
                        Map<String, Object> pool = json(send(
                                HttpRequest.newBuilder(URI.create(app("health").url("/metrics/pool")))
                                        .header("x-api-key", KEY)
                                        .GET(),
                                200));
                        python.set(((Map<String, Object>) pool.get("languages")).get("py"));
                        return python.get() instanceof Map<?, ?> counts
                                && ((Number) counts.get("ready")).intValue() > 0;
                    });
        } catch (ConditionTimeoutException notWarm) {
            throw new IllegalStateException(
                    "no warm Python sandbox within " + START_TIMEOUT + ": " + python.get() + "\n"
                            + app("pool-controller").logTail(),
                    notWarm);
        }
    }
}
