package io.kubecoderun.exec.service;

import io.kubecoderun.core.registry.Lease;
import io.kubecoderun.runner.Claim;
import io.kubecoderun.runner.http.Json;
import io.kubecoderun.runner.wire.ClaimRequest;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.FileEntry;
import io.kubecoderun.runner.wire.RunnerStatus;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Talks to the runner of a leased sandbox: claim, files in and out (streamed), execute. Every call after the
 * claim carries the lease id. A runner that cannot be reached is a {@link RunnerUnreachableException}: the pod
 * died or was evicted, and the caller leases another.
 */
public final class RunnerClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** Time beyond the execution's own deadline for the runner to answer (compile, kill, collect). */
    private static final Duration EXECUTE_MARGIN = Duration.ofSeconds(30);
    private static final Duration FILE_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT).build();

    /** The runner did not answer (connection refused, reset, timed out). */
    public static final class RunnerUnreachableException extends RuntimeException {
        private final boolean reached;

        public RunnerUnreachableException(String message, Throwable cause) {
            super(message, cause);
            this.reached = !neverConnected(cause);
        }

        /** A failure to open the connection (refused, no route, connect timeout, unknown host), at any depth. */
        private static boolean neverConnected(Throwable cause) {
            for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof java.net.ConnectException || t instanceof java.net.NoRouteToHostException
                        || t instanceof java.net.http.HttpConnectTimeoutException
                        || t instanceof java.net.UnknownHostException) {
                    return true;
                }
            }
            return false;
        }

        /** False when no connection could be made: the request never arrived, so nothing of it ran. */
        public boolean reached() {
            return reached;
        }
    }

    /** The runner answered with an error status. */
    public static final class RunnerRefusedException extends RuntimeException {
        private final int status;
        private final String body;

        public RunnerRefusedException(int status, String body) {
            super("runner answered " + status + ": " + body);
            this.status = status;
            this.body = body;
        }

        public int status() {
            return status;
        }

        /** The runner refused to be claimed (another lease holds it, or it is not the leased pod): nothing ran. */
        public boolean claimRefused() {
            if (status != 409) {
                return false;
            }
            try {
                Object type = Json.parseObject(body).get("error_type");
                return "already_claimed".equals(type) || "pod_mismatch".equals(type);
            } catch (RuntimeException notJson) {
                return false;
            }
        }
    }

    private static String base(Lease lease) {
        return "http://" + lease.pod().ip() + ":" + lease.pod().port();
    }

    private HttpRequest.Builder request(Lease lease, String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(base(lease) + path)).timeout(timeout)
                .header("X-Lease-Id", lease.id());
    }

    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
        try {
            return http.send(request, handler);
        } catch (IOException e) {
            throw new RunnerUnreachableException("runner " + request.uri().getAuthority() + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerUnreachableException("interrupted", e);
        }
    }

    private static void check(HttpResponse<?> response, Object body) {
        if (response.statusCode() >= 300) {
            throw new RunnerRefusedException(response.statusCode(), String.valueOf(body));
        }
    }

    /**
     * Claims the sandbox for the lease, as the leased pod (another pod at that address refuses: 409
     * {@code pod_mismatch}); the status it returns must name the leased pod.
     */
    public RunnerStatus claim(Lease lease) {
        HttpResponse<String> response = send(request(lease, "/claim", CONNECT_TIMEOUT.multipliedBy(2))
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(
                        new ClaimRequest(lease.id(), lease.pod().uid()).toJson()))).build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return RunnerStatus.fromJson(Json.parseObject(response.body()));
    }

    /** Streams one input into the working directory under {@code name} (sub-folders created). */
    public FileEntry putFile(Lease lease, String name, InputStream data, long size) {
        HttpResponse<String> response = send(request(lease, "/files/" + encodePath(name), FILE_TIMEOUT)
                .PUT(HttpRequest.BodyPublishers.fromPublisher(
                        HttpRequest.BodyPublishers.ofInputStream(() -> data), size)).build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return FileEntry.fromJson(Json.parseObject(response.body()));
    }

    /**
     * Runs the program. With {@code claim} the request claims the runner for the lease itself (as the leased pod's
     * uid), saving {@link #claim}'s round trip; a refused claim is a {@link RunnerRefusedException} whose
     * {@link RunnerRefusedException#claimRefused()} is true, and nothing ran.
     */
    public ExecuteResponse execute(Lease lease, ExecuteRequest body, Duration timeout, boolean claim) {
        HttpRequest.Builder request = request(lease, "/execute", timeout.plus(EXECUTE_MARGIN))
                .header("Content-Type", "application/json");
        if (claim) {
            request.header(Claim.CLAIM_HEADER, lease.pod().uid());
        }
        HttpResponse<String> response = send(request.POST(HttpRequest.BodyPublishers.ofString(
                Json.write(body.toJson()))).build(), HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return ExecuteResponse.fromJson(Json.parseObject(response.body()));
    }

    public List<FileEntry> listFiles(Lease lease) {
        HttpResponse<String> response = send(request(lease, "/files", FILE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return FileEntry.listFromJson((List<?>) Json.parseObject(response.body()).get("files"));
    }

    /** The file's bytes, streamed; the caller closes the stream. */
    public InputStream openFile(Lease lease, String path) {
        HttpResponse<InputStream> response = send(request(lease, "/files/" + encodePath(path), FILE_TIMEOUT)
                .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 300) {
            try (InputStream body = response.body()) {
                throw new RunnerRefusedException(response.statusCode(),
                        new String(body.readNBytes(4096), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new RunnerRefusedException(response.statusCode(), "");
            }
        }
        return response.body();
    }

    static String encodePath(String name) {
        StringBuilder out = new StringBuilder();
        for (String segment : name.split("/", -1)) {
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return out.toString();
    }
}
