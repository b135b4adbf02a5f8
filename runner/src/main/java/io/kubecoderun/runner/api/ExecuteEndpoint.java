package io.kubecoderun.runner.api;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.Claim;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.exec.Executor;
import io.kubecoderun.runner.exec.ProgrammaticRun;
import io.kubecoderun.runner.files.Workspace;
import io.kubecoderun.runner.http.Exchanges;
import io.kubecoderun.runner.http.Router;
import io.kubecoderun.runner.wire.ClaimRequest;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.ProgrammaticAnswer;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.RunnerHeaders;
import io.kubecoderun.runner.wire.ToolResult;
import io.kubecoderun.runner.wire.WireException;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /execute}: one execution at a time; a second concurrent request gets 409. With
 * {@link RunnerHeaders#CLAIM_POD_UID} it claims the runner first; with {@code list_files} the answer carries the working
 * directory's listing.
 *
 * <p>With {@code tools} it is programmatic (Python or bash): the program runs on a thread of its own and the answer is
 * its first {@link ProgrammaticAnswer} — the tool calls it waits on, or its end; {@code POST /execute/continue} with
 * {@code tool_results} hands it the results and answers the next. {@code POST /execute/cancel} stops whatever runs
 * (an ordinary or a programmatic execution), whose pending request then answers at once.
 */
public final class ExecuteEndpoint {
    private final Executor executor;
    private final Claim claim;
    private final String podUid;
    private final Workspace workspace;
    private final long maxRequestBytes;
    private final BooleanSupplier ready;
    private final AtomicBoolean busy = new AtomicBoolean();
    /** The programmatic execution of this runner, while it lives. */
    private volatile ProgrammaticRun programmatic;

    /** How long a cancelled program gets between TERM and KILL: the caller is gone, nothing is worth waiting for. */
    static final Duration CANCEL_GRACE = Duration.ofMillis(200);

    static final String CANCELLED = "cancelled by the caller";
    /** Runner-side limits of a programmatic execution (the exec function applies its own before these). */
    static final int MAX_TOOLS = 128;

    static final int MAX_TOOL_CALLS = 1_000;
    static final long MAX_TOOL_INPUT_BYTES = 1 << 20;
    static final long MAX_TOOL_RESULT_BYTES = 4 << 20;
    /** Bash cannot say when its calls are complete: calls this close together form one answer. */
    static final long SETTLE_MS = 40;
    /** One answer's calls: bounded, so neither the runner nor the exec function holds an unbounded batch. */
    static final int MAX_BATCH_CALLS = 100;

    static final long MAX_BATCH_BYTES = 4 << 20;

    /**
     * The lease whose execution was cancelled before it arrived (a cancel can overtake its {@code /execute}):
     * that execution is answered as stopped instead of run.
     */
    private volatile String cancelledLease;

    public ExecuteEndpoint(
            Executor executor,
            Claim claim,
            String podUid,
            Workspace workspace,
            long maxRequestBytes,
            BooleanSupplier ready) {
        this.executor = executor;
        this.claim = claim;
        this.podUid = podUid;
        this.workspace = workspace;
        this.maxRequestBytes = maxRequestBytes;
        this.ready = ready;
    }

    public void execute(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "POST");
        if (!ready.getAsBoolean()) {
            throw new RunnerException.Unavailable(RunnerError.SHUTTING_DOWN, "the runner is shutting down");
        }
        String lease = exchange.getRequestHeaders().getFirst(RunnerHeaders.LEASE_ID);
        String claimFor = exchange.getRequestHeaders().getFirst(RunnerHeaders.CLAIM_POD_UID);
        if (claimFor != null) {
            try {
                claim.claim(ClaimRequest.of(lease, claimFor), podUid);
            } catch (WireException e) {
                throw new RunnerException.BadRequest(
                        RunnerError.INVALID_LEASE,
                        RunnerHeaders.CLAIM_POD_UID + " needs a lease id in " + RunnerHeaders.LEASE_ID + ": "
                                + e.getMessage());
            }
        }
        claim.authorize(lease);
        ExecuteRequest request;
        try {
            request = ExecuteRequest.fromJson(Exchanges.readJsonObject(exchange, maxRequestBytes));
        } catch (WireException e) {
            throw new RunnerException.BadRequest(e.error(), e.getMessage());
        }
        if (lease != null && lease.equals(cancelledLease)) {
            ExecuteResponse stopped = Executor.stoppedBeforeStart(
                    io.kubecoderun.runner.lang.Languages.find(request.lang())
                            .orElseThrow(() -> new RunnerException.BadRequest(
                                    RunnerError.UNSUPPORTED_LANGUAGE, "unknown language '" + request.lang() + "'")),
                    CANCELLED);
            Exchanges.sendJson(
                    exchange,
                    200,
                    request.programmatic()
                            ? ProgrammaticAnswer.finished(stopped).toJson()
                            : stopped.toJson());
            return;
        }
        if (request.programmatic()) {
            startProgrammatic(exchange, request, lease);
            return;
        }
        if (!busy.compareAndSet(false, true)) {
            throw new RunnerException.Conflict(RunnerError.BUSY, "another execution is running in this sandbox");
        }
        ExecuteResponse response;
        try {
            claim.beginExecution(lease);
            response = executor.execute(request);
        } finally {
            // Before the answer goes out: a client may send its next request the moment it has read this one.
            busy.set(false);
            if (lease == null) {
                executor.prestartPython(); // an unclaimed runner serves again; a claimed one never does
            }
        }
        if (request.listFiles()) {
            Workspace.Listing listing = workspace.list();
            response = response.withFiles(listing.files(), listing.truncated());
        }
        Exchanges.sendJson(exchange, 200, response.toJson());
    }

    private ProgrammaticRun newRun(ExecuteRequest request) {
        if (!List.of("py", "bash").contains(request.lang())) {
            throw new RunnerException.BadRequest(
                    RunnerError.INVALID_TOOLS,
                    "programmatic executions run Python (py) or bash, not " + request.lang());
        }
        if (request.tools().size() > MAX_TOOLS) {
            throw new RunnerException.BadRequest(RunnerError.INVALID_TOOLS, "at most " + MAX_TOOLS + " tools");
        }
        try {
            return new ProgrammaticRun(
                    request.lang(),
                    request.tools(),
                    new ProgrammaticRun.Limits(
                            request.effectiveToolWaitMs(),
                            SETTLE_MS,
                            MAX_TOOL_CALLS,
                            MAX_TOOL_INPUT_BYTES,
                            MAX_TOOL_RESULT_BYTES,
                            MAX_BATCH_CALLS,
                            MAX_BATCH_BYTES));
        } catch (IllegalArgumentException e) {
            throw new RunnerException.BadRequest(RunnerError.INVALID_TOOLS, e.getMessage());
        }
    }

    private void startProgrammatic(HttpExchange exchange, ExecuteRequest request, String lease) throws IOException {
        ProgrammaticRun run = newRun(request);
        if (!busy.compareAndSet(false, true)) {
            throw new RunnerException.Conflict(RunnerError.BUSY, "another execution is running in this sandbox");
        }
        try {
            claim.beginExecution(lease);
        } catch (RuntimeException e) {
            busy.set(false);
            throw e;
        }
        programmatic = run;
        Thread.ofPlatform().daemon().name("kcr-programmatic").start(() -> {
            try {
                ExecuteResponse response = executor.execute(request, run);
                if (request.listFiles()) {
                    Workspace.Listing listing = workspace.list();
                    response = response.withFiles(listing.files(), listing.truncated());
                }
                run.finished(response);
            } catch (IOException e) {
                run.failed(new RunnerException.Unavailable(
                        RunnerError.INTERNAL, "the execution could not run: " + e.getMessage()));
            } catch (RuntimeException e) {
                run.failed(e);
            } catch (Throwable e) { // an Error must not leave the waiting request hanging
                run.failed(new RunnerException.Unavailable(RunnerError.INTERNAL, "the execution failed: " + e));
                throw e;
            } finally {
                busy.set(false);
                if (lease == null) {
                    executor.prestartPython();
                }
            }
        });
        answer(exchange, () -> run.awaitAnswer());
    }

    private interface Answer {
        ProgrammaticAnswer get() throws InterruptedException;
    }

    private static void answer(HttpExchange exchange, Answer next) throws IOException {
        ProgrammaticAnswer answer;
        try {
            answer = next.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RunnerException.Unavailable(RunnerError.SHUTTING_DOWN, "interrupted");
        }
        Exchanges.sendJson(exchange, 200, answer.toJson());
    }

    /** {@code POST /execute/continue}: results for the calls the program waits on; answers its next answer. */
    public void continueProgrammatic(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "POST");
        claim.authorize(exchange.getRequestHeaders().getFirst(RunnerHeaders.LEASE_ID));
        List<ToolResult> results;
        try {
            results = ToolResult.listFromJson(
                    Exchanges.readJsonObject(exchange, maxRequestBytes).get("tool_results"));
        } catch (WireException e) {
            throw new RunnerException.BadRequest(e.error(), e.getMessage());
        }
        ProgrammaticRun run = programmatic;
        if (run == null) {
            throw new RunnerException.Conflict(
                    RunnerError.NOT_WAITING, "no programmatic execution is waiting in this sandbox");
        }
        answer(exchange, () -> run.deliver(results));
    }

    /** {@code POST /execute/cancel}: stops the running execution; {@code {"stopped": bool}}. */
    public void cancel(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "POST");
        String lease = exchange.getRequestHeaders().getFirst(RunnerHeaders.LEASE_ID);
        claim.authorize(lease);
        if (lease != null) {
            cancelledLease = lease; // whatever its execution's state: a later /execute of this lease is not run
        }
        boolean stopped = false;
        // The execution may be between its request and its first step: look again for a moment.
        long until = System.nanoTime() + CANCEL_GRACE.toNanos() * 5;
        while (busy.get()) {
            if (executor.cancel(CANCEL_GRACE, CANCELLED)) {
                stopped = true;
                break;
            }
            if (System.nanoTime() > until) {
                break;
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Exchanges.sendJson(exchange, 200, java.util.Map.of("stopped", stopped));
    }
}
