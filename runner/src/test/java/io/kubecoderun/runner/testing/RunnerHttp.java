package io.kubecoderun.runner.testing;

import io.kubecoderun.runner.wire.Json;
import io.kubecoderun.runner.wire.RunnerHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The runner's HTTP API at the level of bytes and status codes, for tests that must send what the typed
 * {@link io.kubecoderun.runner.wire.RunnerClient} never sends (malformed JSON, missing or foreign leases, odd methods).
 */
public final class RunnerHttp {
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(5);

    private final String base;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private String lease;

    public RunnerHttp(String base) {
        this.base = base;
    }

    /** Sends {@code X-Lease-Id} with every later request (null: none). */
    public RunnerHttp withLease(String leaseId) {
        this.lease = leaseId;
        return this;
    }

    /** A status code with the body parsed as JSON (null when empty). */
    public record Reply(int status, Object body, String raw) {
        @SuppressWarnings("unchecked")
        public Map<String, Object> json() {
            return (Map<String, Object>) body;
        }
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder builder =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(REQUEST_TIMEOUT);
        if (lease != null) {
            builder.header(RunnerHeaders.LEASE_ID, lease);
        }
        return builder;
    }

    private Reply send(HttpRequest request) throws IOException {
        try {
            HttpResponse<String> response =
                    http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
            String raw = response.body();
            Object body = raw == null || raw.isEmpty() ? null : parseOrRaw(raw);
            return new Reply(response.statusCode(), body, raw);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static Object parseOrRaw(String raw) {
        try {
            return Json.parse(raw);
        } catch (Json.JsonException e) {
            return raw;
        }
    }

    public Reply postJson(String path, Object body) throws IOException {
        return postRaw(path, Json.write(body));
    }

    public Reply postRaw(String path, String body) throws IOException {
        return send(request(path)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .build());
    }

    public Reply execute(Map<String, Object> body) throws IOException {
        return postJson("/execute", body);
    }

    /** {@code POST /execute} that claims the runner for this client's lease, as the pod {@code podUid}. */
    public Reply executeClaiming(String podUid, Map<String, Object> body) throws IOException {
        return send(request("/execute")
                .header("Content-Type", "application/json")
                .header(RunnerHeaders.CLAIM_POD_UID, podUid)
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(body), StandardCharsets.UTF_8))
                .build());
    }

    public Reply get(String path) throws IOException {
        return send(request(path).GET().build());
    }

    public Reply delete(String path) throws IOException {
        return send(request(path).DELETE().build());
    }

    public Reply putBytes(String path, byte[] bytes) throws IOException {
        return send(
                request(path).PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build());
    }

    public Reply putFile(String path, Path file) throws IOException {
        return send(request(path).PUT(HttpRequest.BodyPublishers.ofFile(file)).build());
    }

    /** Streams a download; the caller closes the stream. */
    public HttpResponse<InputStream> download(String path) throws IOException {
        try {
            return http.send(request(path).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    public Reply method(String method, String path) throws IOException {
        return send(request(path)
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build());
    }
}
