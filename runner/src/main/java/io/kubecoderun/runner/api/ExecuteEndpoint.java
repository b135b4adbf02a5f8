package io.kubecoderun.runner.api;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.Claim;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.exec.Executor;
import io.kubecoderun.runner.files.Workspace;
import io.kubecoderun.runner.http.Exchanges;
import io.kubecoderun.runner.http.Router;
import io.kubecoderun.runner.wire.ClaimRequest;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.RunnerHeaders;
import io.kubecoderun.runner.wire.WireException;
import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * {@code POST /execute}: one execution at a time; a second concurrent request gets 409. With
 * {@link RunnerHeaders#CLAIM_POD_UID} it claims the runner first; with {@code list_files} the answer carries the working
 * directory's listing.
 */
public final class ExecuteEndpoint {
    private final Executor executor;
    private final Claim claim;
    private final String podUid;
    private final Workspace workspace;
    private final long maxRequestBytes;
    private final BooleanSupplier ready;
    private final AtomicBoolean busy = new AtomicBoolean();

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
}
