package io.kubecoderun.exec.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.exec.programmatic.ExpiringValues;
import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.registry.Lease;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.ToolNames;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.Json;
import io.kubecoderun.runner.wire.RunnerClient;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.ToolCall;
import io.kubecoderun.runner.wire.ToolResult;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Programmatic tool calling ({@code POST /exec/programmatic}): the program runs in a leased sandbox and calls the
 * caller's tools; each call goes back to the caller as {@code tool_call_required} with a continuation token, the
 * program blocked on its tool channel and its lease extended, and the caller's results resume it.
 *
 * <p>Between round trips nothing lives in this replica's memory: the execution (its owner, lease, session, inputs,
 * the calls it waits on) is a record in {@link ExpiringValues} — Redis in a cluster — keyed by its id, the token
 * (by its SHA-256; the token itself is 256 random bits, handed out once) and each request id the client sent. Any
 * replica takes the next round trip; taking a token is atomic, so one continuation wins. Waiting past the idle
 * deadline, the token expires, the runner stops the program and the lease runs out (its pod is deleted); a cancel
 * stops it at once.
 */
public final class ProgrammaticService {
    private static final Logger LOG = Logger.getLogger(ProgrammaticService.class.getName());
    private static final ObjectMapper JSON =
            new ObjectMapper().disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final SecureRandom RANDOM = new SecureRandom();
    /** How long a finished execution's request ids keep answering {@code already_completed} to a cancel. */
    private static final Duration ENDED_KEPT = Duration.ofMinutes(10);
    /**
     * Registry records and a waiting lease outlive the idle deadline by this much (clock skew, a slow last step); a
     * continuation extends the lease for its own run. Past it, the controller reaps the lease and deletes the pod.
     */
    private static final Duration MARGIN = Duration.ofSeconds(15);

    /** The states of {@link Execution}. */
    static final String RUNNING = "running";

    static final String WAITING = "waiting";
    static final String ENDED = "ended";

    /** A programmatic execution between (or during) its round trips, as the registry keeps it. */
    record Execution(
            String id,
            String principal,
            String state,
            String tokenHash,
            String leaseId,
            PodRef pod,
            long leaseDeadlineMs,
            String language,
            String sessionId,
            List<ExecRequest.InputFile> inputs,
            Map<String, String> inputHashes,
            long timeoutMs,
            List<String> outstanding,
            long historyBytes,
            int calls) {

        Execution with(String newState, String newTokenHash, List<String> newOutstanding) {
            return new Execution(
                    id,
                    principal,
                    newState,
                    newTokenHash,
                    leaseId,
                    pod,
                    leaseDeadlineMs,
                    language,
                    sessionId,
                    inputs,
                    inputHashes,
                    timeoutMs,
                    newOutstanding,
                    historyBytes,
                    calls);
        }

        Execution counting(long moreBytes, int moreCalls) {
            return new Execution(
                    id,
                    principal,
                    state,
                    tokenHash,
                    leaseId,
                    pod,
                    leaseDeadlineMs,
                    language,
                    sessionId,
                    inputs,
                    inputHashes,
                    timeoutMs,
                    outstanding,
                    historyBytes + moreBytes,
                    calls + moreCalls);
        }

        /** The record once its sandbox is leased: from then on a cancel reaches the runner. */
        Execution leased(Lease lease, String session) {
            return new Execution(
                    id,
                    principal,
                    state,
                    tokenHash,
                    lease.id(),
                    lease.pod(),
                    lease.deadlineMs(),
                    language,
                    session,
                    inputs,
                    inputHashes,
                    timeoutMs,
                    outstanding,
                    historyBytes,
                    calls);
        }

        Lease lease() {
            return new Lease(leaseId, pod, leaseDeadlineMs);
        }
    }

    /** What a cancel found: it stopped the execution, or the execution had ended already. */
    public enum CancelOutcome {
        CANCELLED,
        ALREADY_COMPLETED
    }

    private final ExecService exec;
    private final ExpiringValues values;
    private final ProgrammaticSettings settings;

    public ProgrammaticService(ExecService exec, ExpiringValues values, ProgrammaticSettings settings) {
        this.exec = exec;
        this.values = values;
        this.settings = settings;
    }

    // ---- starting ----------------------------------------------------------------------------------------------

    /**
     * Starts the program with its tools ({@code tools}: the names as the client registered them); answers its
     * first {@link ProgrammaticAnswer}. {@code requestId} ({@code X-LibreChat-Code-Request-ID}, may be null) names
     * this request for a cancel.
     */
    public ProgrammaticAnswer start(
            Principal principal, ExecRequest request, List<String> tools, String requestId, Cancellation cancellation) {
        Language language = exec.validate(request);
        if (!language.id().equals("py") && !language.id().equals("bash")) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_TOOLS, "programmatic tool calling runs Python or bash, not " + language.id());
        }
        checkTools(language.id(), tools);
        String id = Ids.next();
        Duration timeout = exec.timeout(request);
        claimRequestId(requestId, id);
        // Recorded before anything is leased, so a cancel that comes while the sandbox is found is not lost.
        Execution unstarted = new Execution(
                id,
                principal.id(),
                RUNNING,
                null,
                null,
                null,
                0,
                language.id(),
                null,
                request.files(),
                Map.of(),
                timeout.toMillis(),
                List.of(),
                0,
                0);
        save(unstarted);
        Session session;
        try {
            session = exec.resolveSession(principal, request);
        } catch (RuntimeException e) {
            end(unstarted, requestId);
            throw e;
        }
        ExecuteRequest execute = new ExecuteRequest(
                language.id(),
                request.code(),
                List.of(),
                timeout.toMillis(),
                null,
                false,
                true,
                List.copyOf(tools),
                settings.idleTimeout().toMillis());
        long started = System.nanoTime();
        ExecService.Begun<io.kubecoderun.runner.wire.ProgrammaticAnswer> begun;
        try {
            begun = exec.begin(principal, request, session, language, timeout, cancellation, (lease, claim) -> {
                // Recorded with its lease before the program starts, then the mark looked at: a cancel either
                // finds the lease or leaves a mark seen here (see cancel).
                save(unstarted.leased(lease, session.id()));
                if (cancelRequested(id)) {
                    cancellation.cancel("a cancel request"); // the runner answers its /execute as stopped
                }
                return exec.runners().startProgrammatic(ExecService.target(lease), execute, timeout, claim);
            });
        } catch (RunnerClient.RunnerUnreachableException e) {
            end(unstarted, requestId);
            cancellation.throwIfCancelled();
            throw ExecService.sandboxLost();
        } catch (RuntimeException e) {
            end(unstarted, requestId);
            throw e;
        }
        Execution execution = new Execution(
                id,
                principal.id(),
                RUNNING,
                null,
                begun.lease().id(),
                begun.lease().pod(),
                begun.lease().deadlineMs(),
                language.id(),
                session.id(),
                begun.requested(),
                begun.inputHashes(),
                timeout.toMillis(),
                List.of(),
                0,
                0);
        return next(execution, begun, begun.first(), requestId, cancellation, started);
    }

    private void checkTools(String language, List<String> tools) {
        if (tools.size() > settings.maxTools()) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_TOOLS,
                    "a request may list at most " + settings.maxTools() + " tools; it listed " + tools.size());
        }
        Map<String, String> identifiers = new HashMap<>();
        for (String name : tools) {
            String identifier = ToolNames.forLanguage(language, name);
            ToolNames.unusable(language, name).ifPresent(problem -> {
                throw new ApiException.BadRequest(ErrorType.INVALID_TOOLS, problem);
            });
            String clash = identifiers.putIfAbsent(identifier, name);
            if (clash != null) {
                throw new ApiException.BadRequest(
                        ErrorType.INVALID_TOOLS,
                        "the tools '" + clash + "' and '" + name + "' are both " + identifier + " in the program");
            }
        }
    }

    // ---- continuing --------------------------------------------------------------------------------------------

    /**
     * Hands the caller's results to the program that waits on them (on whichever replica it started) and answers
     * its next {@link ProgrammaticAnswer}. An unknown or expired token, or another principal's: 404.
     */
    public ProgrammaticAnswer resume(
            Principal principal, String token, List<ToolResult> results, String requestId, Cancellation cancellation) {
        String tokenKey = tokenKey(token);
        Execution execution = values.get(tokenKey)
                .flatMap(this::execution)
                .filter(e -> e.principal().equals(principal.id()) && WAITING.equals(e.state()))
                .orElseThrow(ProgrammaticService::unknownToken);
        List<ToolResult> checked = checkResults(execution, results);
        claimRequestId(requestId, execution.id());
        if (values.take(tokenKey).filter(execution.id()::equals).isEmpty()) {
            endRequest(requestId);
            throw unknownToken(); // another continuation (or a cancel) took it first
        }
        long started = System.nanoTime();
        long bytes = 0;
        for (ToolResult result : checked) {
            bytes += resultBytes(result);
        }
        Execution running = execution.with(RUNNING, null, List.of()).counting(bytes, 0);
        ExecService.Begun<?> begun;
        try {
            save(running);
            if (!exec.extend(
                    running.lease(), Duration.ofMillis(running.timeoutMs()).plus(Duration.ofMinutes(2)))) {
                throw ExecService.sandboxLost(); // the lease ran out (or was reaped) while the program waited
            }
            begun = rebuild(principal, running);
            if (running.historyBytes() > settings.maxHistoryBytes()) {
                return stop(
                        running,
                        requestId,
                        "the tool results of this execution exceeded " + settings.maxHistoryBytes()
                                + " bytes in total");
            }
            cancellation.attach(exec.runners(), ExecService.target(running.lease()));
        } catch (RuntimeException e) {
            // The token is spent: nobody else will end this execution.
            stopRunner(running);
            end(running, requestId);
            throw e;
        }
        io.kubecoderun.runner.wire.ProgrammaticAnswer answer;
        long runnerStart = System.nanoTime();
        try {
            answer = exec.runners()
                    .continueProgrammatic(
                            ExecService.target(running.lease()), checked, Duration.ofMillis(running.timeoutMs()));

        } catch (RunnerClient.RunnerRefusedException e) {
            end(running, requestId);
            if (e.error().filter(RunnerError.NOT_WAITING::equals).isPresent()) {
                throw new ApiException.NotFound(
                        ErrorType.CONTINUATION_NOT_FOUND,
                        "the execution has ended (stopped or past its idle deadline)");
            }
            throw ExecService.sandboxLost();
        } catch (RunnerClient.RunnerUnreachableException e) {
            end(running, requestId);
            cancellation.throwIfCancelled();
            throw ExecService.sandboxLost();
        } catch (RuntimeException e) {
            end(running, requestId);
            throw e;
        }
        long runnerEnd = System.nanoTime();
        ProgrammaticAnswer next = next(running, begun, answer, requestId, cancellation, started);
        // Where a round trip's time goes: before the runner call, the runner (results in, the next calls or the
        // end out), and after it.
        LOG.info("event=programmatic_round execution=" + running.id() + " status="
                + next.status().wire()
                + " before_ms=" + ExecService.millis(runnerStart - started) + " runner_ms="
                + ExecService.millis(runnerEnd - runnerStart) + " after_ms="
                + ExecService.millis(System.nanoTime() - runnerEnd));
        return next;
    }

    /** The results, each answering one call the program waits on, all of them; oversized ones become errors. */
    private List<ToolResult> checkResults(Execution execution, List<ToolResult> results) {
        if (results.isEmpty()) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TOOL_RESULTS, "'tool_results' must not be empty");
        }
        Set<String> waiting = new HashSet<>(execution.outstanding());
        Set<String> answered = new HashSet<>();
        List<ToolResult> checked = new ArrayList<>();
        for (ToolResult result : results) {
            if (!waiting.contains(result.callId()) || !answered.add(result.callId())) {
                throw new ApiException.BadRequest(
                        ErrorType.INVALID_TOOL_RESULTS,
                        "no call '" + result.callId() + "' is waiting for a result (or it is answered twice)");
            }
            long size = resultBytes(result);
            checked.add(
                    size > settings.maxResultBytes()
                            ? new ToolResult(
                                    result.callId(),
                                    null,
                                    true,
                                    "the tool's result is " + size + " bytes; results are capped at "
                                            + settings.maxResultBytes() + " bytes")
                            : result);
        }
        if (!answered.equals(waiting)) {
            Set<String> missing = new java.util.TreeSet<>(waiting);
            missing.removeAll(answered);
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_TOOL_RESULTS, "results are missing for the calls " + missing);
        }
        return checked;
    }

    private static long resultBytes(ToolResult result) {
        return result.isError()
                ? String.valueOf(result.errorMessage()).getBytes(StandardCharsets.UTF_8).length
                : Json.write(result.result()).getBytes(StandardCharsets.UTF_8).length;
    }

    /** The parts of a {@link ExecService.Begun} that finishing needs, found again from the record. */
    private ExecService.Begun<?> rebuild(Principal principal, Execution execution) {
        Session session = exec.session(execution.sessionId(), principal.id());
        long now = System.nanoTime();
        return new ExecService.Begun<>(
                session,
                execution.inputs(),
                exec.storedInputs(principal, execution.inputs()),
                execution.inputHashes(),
                execution.lease(),
                null,
                now,
                now,
                now);
    }

    // ---- one round trip's answer ----------------------------------------------------------------------------

    private ProgrammaticAnswer next(
            Execution execution,
            ExecService.Begun<?> begun,
            io.kubecoderun.runner.wire.ProgrammaticAnswer answer,
            String requestId,
            Cancellation cancellation,
            long startedNanos) {
        try {
            if (cancellation.cancelled() || cancelRequested(execution.id())) {
                ExecuteResponse finished = answer.isWaiting() ? null : answer.finished();
                if (finished == null) {
                    stopRunner(execution); // cancelled while it started: it waits on its first calls
                }
                end(execution, requestId);
                return ProgrammaticAnswer.error(
                        execution.sessionId(), "Execution cancelled", finished == null ? null : finished.stderr());
            }
            if (answer.isWaiting()) {
                return pause(execution, answer.toolCalls(), requestId);
            }
            return complete(execution, begun, answer.finished(), requestId, startedNanos);
        } catch (RuntimeException e) {
            end(execution, requestId);
            throw e;
        }
    }

    private ProgrammaticAnswer pause(Execution execution, List<ToolCall> calls, String requestId) {
        Execution counted = execution.counting(0, calls.size());
        if (counted.calls() > settings.maxToolCalls()) {
            return stop(counted, requestId, "the program made more than " + settings.maxToolCalls() + " tool calls");
        }
        String token = newToken();
        Duration waitTtl = settings.idleTimeout().plus(MARGIN);
        // The lease covers the wait; a continuation extends it again for its run and the file transfers after it.
        if (!exec.extend(counted.lease(), settings.idleTimeout().plus(MARGIN))) {
            return stop(counted, requestId, "the sandbox's lease ran out");
        }
        Execution waiting = counted.with(
                WAITING, tokenKey(token), calls.stream().map(ToolCall::id).toList());
        save(waiting, waitTtl);
        values.put(tokenKey(token), waiting.id(), settings.idleTimeout());
        if (requestId != null) {
            values.put(requestKey(requestId), waiting.id(), waitTtl);
        }
        // A cancel that read the record before it said "waiting" left its mark; whoever takes the token ends it.
        if (cancelRequested(waiting.id()) && values.take(tokenKey(token)).isPresent()) {
            stopRunner(waiting);
            end(waiting, requestId);
            return ProgrammaticAnswer.error(waiting.sessionId(), "Execution cancelled", null);
        }
        return ProgrammaticAnswer.waiting(waiting.sessionId(), token, calls);
    }

    private ProgrammaticAnswer complete(
            Execution execution,
            ExecService.Begun<?> begun,
            ExecuteResponse finished,
            String requestId,
            long startedNanos) {
        String status = "internal";
        try {
            ExecResult result = exec.finish(begun, finished);
            if (finished.timedOut()) {
                status = "timeout";
                return ProgrammaticAnswer.error(result.sessionId(), "Time limit exceeded", result.stderr());
            }
            if (finished.oomKilled()) {
                status = "error";
                return ProgrammaticAnswer.error(result.sessionId(), "Out of memory", result.stderr());
            }
            status = result.status().wire();
            return ProgrammaticAnswer.completed(result);
        } finally {
            end(execution, requestId);
            exec.observer().finished(execution.language(), status, System.nanoTime() - startedNanos);
        }
    }

    /** Stops an execution for a limit of this API: the program is cancelled, its lease released. */
    private ProgrammaticAnswer stop(Execution execution, String requestId, String why) {
        stopRunner(execution);
        end(execution, requestId);
        LOG.info("event=programmatic_stopped execution=" + execution.id() + " reason=\"" + why + "\"");
        return ProgrammaticAnswer.error(execution.sessionId(), why, null);
    }

    /** Tells the execution's runner to stop its program now (best effort: the lease's release ends it anyway). */
    private boolean stopRunner(Execution execution) {
        if (execution.leaseId() == null) {
            return false;
        }
        try {
            return exec.runners().cancel(ExecService.target(execution.lease()));
        } catch (RuntimeException e) {
            LOG.info("event=programmatic_stop_not_delivered execution=" + execution.id() + " error=" + e.getMessage());
            return false;
        }
    }

    /** The execution is over: its lease released, its record kept briefly as ended (for cancels that come late). */
    private void end(Execution execution, String requestId) {
        if (execution.leaseId() != null) {
            exec.release(execution.lease());
        }
        try {
            save(execution.with(ENDED, null, List.of()), ENDED_KEPT);
            if (requestId != null) {
                values.put(requestKey(requestId), execution.id(), ENDED_KEPT);
            }
        } catch (DependencyUnavailableException e) {
            LOG.warning("event=programmatic_end_unrecorded execution=" + execution.id());
        }
    }

    // ---- cancelling ----------------------------------------------------------------------------------------

    /**
     * Stops the execution the request {@code requestId} drove, on whichever replica it runs or waits. Another
     * principal's request id, or one never seen: 404.
     */
    public CancelOutcome cancel(Principal principal, String requestId) {
        Execution execution = values.get(requestKey(requestId))
                .flatMap(this::execution)
                .filter(e -> e.principal().equals(principal.id()))
                .orElseThrow(() -> new ApiException.NotFound("no execution is known for request id " + requestId));
        if (ENDED.equals(execution.state())) {
            return CancelOutcome.ALREADY_COMPLETED;
        }
        // The mark first, then the record read again: a replica between its runner's answer and saving "waiting"
        // either sees the mark or has saved "waiting" before this read (see pause).
        values.put(
                cancelKey(execution.id()),
                "1",
                Duration.ofMillis(execution.timeoutMs()).plus(settings.idleTimeout()));
        execution = execution(execution.id()).orElse(execution);
        if (ENDED.equals(execution.state())) {
            return CancelOutcome.ALREADY_COMPLETED;
        }
        // No lease yet while its sandbox is found: the starting replica sees the mark.
        boolean stopped = stopRunner(execution);
        // Waiting, nobody drives it: whoever takes the token ends it. Running: the replica that drives it does.
        if (WAITING.equals(execution.state())
                && values.take(execution.tokenHash()).isPresent()) {
            end(execution, null);
        }
        LOG.info("event=programmatic_cancelled execution=" + execution.id() + " state=" + execution.state() + " leased="
                + (execution.leaseId() != null) + " runner_stopped=" + stopped);
        return CancelOutcome.CANCELLED;
    }

    // ---- the registry -----------------------------------------------------------------------------------------

    private void claimRequestId(String requestId, String executionId) {
        if (requestId == null) {
            return;
        }
        Duration ttl = Duration.ofMinutes(30);
        if (values.putIfAbsent(requestKey(requestId), executionId, ttl)) {
            return;
        }
        Optional<String> known = values.get(requestKey(requestId));
        boolean live = known.flatMap(this::execution)
                .map(e -> !ENDED.equals(e.state()))
                .orElse(false);
        if (live || known.filter(executionId::equals).isPresent()) {
            throw new ApiException.Conflict(
                    ErrorType.REQUEST_ID_IN_USE, "the request id " + requestId + " names a running execution");
        }
        values.put(requestKey(requestId), executionId, ttl); // it named an execution that has ended
    }

    private void endRequest(String requestId) {
        if (requestId != null) {
            values.delete(requestKey(requestId));
        }
    }

    private Optional<Execution> execution(String id) {
        return values.get(executionKey(id)).map(ProgrammaticService::decode);
    }

    private void save(Execution execution) {
        save(execution, Duration.ofMillis(execution.timeoutMs()).plus(Duration.ofMinutes(2)));
    }

    private void save(Execution execution, Duration ttl) {
        try {
            values.put(executionKey(execution.id()), JSON.writeValueAsString(execution), ttl);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot encode an execution record", e);
        }
    }

    private static Execution decode(String json) {
        try {
            return JSON.readValue(json, Execution.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("unreadable execution record", e);
        }
    }

    private static String executionKey(String id) {
        return "exec:" + id;
    }

    private boolean cancelRequested(String executionId) {
        return values.get(cancelKey(executionId)).isPresent();
    }

    private static String cancelKey(String executionId) {
        return "cancel:" + executionId;
    }

    private static String requestKey(String requestId) {
        return "req:" + requestId;
    }

    private static String tokenKey(String token) {
        return "token:" + sha256(token);
    }

    private static String newToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String sha256(String text) {
        try {
            return java.util.HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ApiException unknownToken() {
        return new ApiException.NotFound(
                ErrorType.CONTINUATION_NOT_FOUND,
                "unknown or expired continuation token (a program waits for its tool results for a limited time)");
    }
}
