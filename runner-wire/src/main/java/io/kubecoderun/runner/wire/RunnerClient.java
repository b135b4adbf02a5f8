package io.kubecoderun.runner.wire;

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
import java.util.Map;
import java.util.Optional;

/**
 * The one client of the runner's HTTP API, for the exec function (claim, files in and out, streamed, execute)
 * and the controller (status before an offer). Every call after the claim carries the lease id. A runner that
 * cannot be reached is a {@link RunnerUnreachableException}: the pod died or was evicted, and the caller leases
 * another; an error status is a {@link RunnerRefusedException} carrying the runner's {@link RunnerError}.
 */
public final class RunnerClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(3);
    /** A runner that takes longer than this to say whether it is claimed is not offered this round. */
    private static final Duration STATUS_TIMEOUT = Duration.ofSeconds(2);
    /** Time beyond the execution's own deadline for the runner to answer (compile, kill, collect). */
    private static final Duration EXECUTE_MARGIN = Duration.ofSeconds(30);

    private static final Duration FILE_TIMEOUT = Duration.ofMinutes(2);

    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();

    /**
     * A leased runner: where it listens, the lease it serves and the uid of the pod the lease names.
     *
     * @param podUid the leased pod's uid; a runner at that address with another uid refuses the claim
     */
    public record Target(String host, int port, String leaseId, String podUid) {
        String base() {
            return "http://" + host + ":" + port;
        }
    }

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
                if (t instanceof java.net.ConnectException
                        || t instanceof java.net.NoRouteToHostException
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

        /** The runner's {@code error_type}, when its body is the runner's error JSON. */
        public Optional<RunnerError> error() {
            try {
                return RunnerError.fromWire(Json.parseObject(body).get("error_type"));
            } catch (RuntimeException notJson) {
                return Optional.empty();
            }
        }

        /** The runner refused to be claimed (another lease holds it, or it is not the leased pod): nothing ran. */
        public boolean claimRefused() {
            return status == 409
                    && error().filter(e -> e == RunnerError.ALREADY_CLAIMED || e == RunnerError.POD_MISMATCH)
                            .isPresent();
        }
    }

    private static HttpRequest.Builder request(Target target, String path, Duration timeout) {
        return HttpRequest.newBuilder(URI.create(target.base() + path))
                .timeout(timeout)
                .header(RunnerHeaders.LEASE_ID, target.leaseId());
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
     * A runner's {@code GET /status}, or empty when it does not answer 200 within {@link #STATUS_TIMEOUT} (not
     * offered this round).
     */
    public Optional<RunnerStatus> status(String host, int port) {
        try {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create("http://" + host + ":" + port + "/status"))
                            .timeout(STATUS_TIMEOUT)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(RunnerStatus.fromJson(Json.parseObject(response.body())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /**
     * Claims the sandbox for the lease, as the leased pod (another pod at that address refuses: 409
     * {@code pod_mismatch}); the status it returns must name the leased pod.
     */
    public RunnerStatus claim(Target target) {
        HttpResponse<String> response = send(
                request(target, "/claim", CONNECT_TIMEOUT.multipliedBy(2))
                        .POST(HttpRequest.BodyPublishers.ofString(
                                Json.write(new ClaimRequest(target.leaseId(), target.podUid()).toJson())))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return RunnerStatus.fromJson(Json.parseObject(response.body()));
    }

    /** Streams one input into the working directory under {@code name} (sub-folders created). */
    public FileEntry putFile(Target target, String name, InputStream data, long size) {
        HttpResponse<String> response = send(
                request(target, "/files/" + encodePath(name), FILE_TIMEOUT)
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> data), size))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return FileEntry.fromJson(Json.parseObject(response.body()));
    }

    /**
     * Runs the program. With {@code claim} the request claims the runner for the lease itself (as the leased pod's
     * uid), saving {@link #claim}'s round trip; a refused claim is a {@link RunnerRefusedException} whose
     * {@link RunnerRefusedException#claimRefused()} is true, and nothing ran.
     */
    public ExecuteResponse execute(Target target, ExecuteRequest body, Duration timeout, boolean claim) {
        return ExecuteResponse.fromJson(post(target, "/execute", body.toJson(), timeout, claim, UNCAPPED));
    }

    /**
     * Starts a programmatic execution ({@code body.tools()} set): the answer is the finished execution or the tool
     * calls its program waits on, the process alive until {@link #continueProgrammatic} or {@link #cancel}.
     */
    public ProgrammaticAnswer startProgrammatic(Target target, ExecuteRequest body, Duration timeout, boolean claim) {
        if (!body.programmatic()) {
            throw new IllegalArgumentException("not a programmatic execution: tools is null");
        }
        return ProgrammaticAnswer.fromJson(
                post(target, "/execute", body.toJson(), timeout, claim, MAX_PROGRAMMATIC_ANSWER_BYTES));
    }

    /**
     * Hands the results of the calls a programmatic execution waits on to its program and waits, at most
     * {@code timeout} of running, for its next answer. 409 {@code not_waiting}: it is no longer waiting (finished,
     * stopped by its idle deadline or cancelled).
     */
    public ProgrammaticAnswer continueProgrammatic(Target target, List<ToolResult> results, Duration timeout) {
        return ProgrammaticAnswer.fromJson(post(
                target, "/execute/continue", ToolResult.body(results), timeout, false, MAX_PROGRAMMATIC_ANSWER_BYTES));
    }

    /**
     * Stops the lease's running or waiting execution (TERM, a short grace, KILL); its pending {@code /execute} or
     * {@code /execute/continue} answers at once. True when there was one to stop.
     */
    public boolean cancel(Target target) {
        HttpResponse<String> response = send(
                request(target, "/execute/cancel", CONNECT_TIMEOUT.multipliedBy(2))
                        .POST(HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return Boolean.TRUE.equals(Json.parseObject(response.body()).get("stopped"));
    }

    /**
     * The largest programmatic answer read: a batch of tool calls is capped by the runner (4 MiB of inputs), so more
     * is a runner (or a program) misbehaving, and it must not take the exec replica's memory with it.
     */
    static final long MAX_PROGRAMMATIC_ANSWER_BYTES = 16L << 20;

    /** An ordinary execute's answer (a state may be large): as much as one array holds. */
    private static final long UNCAPPED = Integer.MAX_VALUE - 9;

    private Map<String, Object> post(
            Target target, String path, Map<String, Object> body, Duration timeout, boolean claim, long maxBytes) {
        HttpRequest.Builder request =
                request(target, path, timeout.plus(EXECUTE_MARGIN)).header("Content-Type", "application/json");
        if (claim) {
            request.header(RunnerHeaders.CLAIM_POD_UID, target.podUid());
        }
        HttpResponse<InputStream> response = send(
                request.POST(HttpRequest.BodyPublishers.ofString(Json.write(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        String text;
        try (InputStream in = response.body()) {
            // One byte past the cap tells "too large" from "exactly the cap".
            byte[] bytes = in.readNBytes((int) (maxBytes + 1));
            if (bytes.length > maxBytes) {
                throw new RunnerRefusedException(502, "the runner's answer exceeds " + maxBytes + " bytes");
            }
            text = new String(bytes, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new RunnerUnreachableException("runner " + target.host() + " lost mid-answer: " + e, e);
        }
        check(response, text);
        return Json.parseObject(text);
    }

    public List<FileEntry> listFiles(Target target) {
        HttpResponse<String> response =
                send(request(target, "/files", FILE_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString());
        check(response, response.body());
        return FileEntry.listFromJson(
                (List<?>) Json.parseObject(response.body()).get("files"));
    }

    /** The file's bytes, streamed; the caller closes the stream. */
    public InputStream openFile(Target target, String path) {
        HttpResponse<InputStream> response = send(
                request(target, "/files/" + encodePath(path), FILE_TIMEOUT)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() >= 300) {
            try (InputStream body = response.body()) {
                throw new RunnerRefusedException(
                        response.statusCode(), new String(body.readNBytes(4096), StandardCharsets.UTF_8));
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
