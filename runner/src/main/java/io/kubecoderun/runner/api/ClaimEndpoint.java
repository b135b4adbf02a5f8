package io.kubecoderun.runner.api;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.Claim;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.http.Exchanges;
import io.kubecoderun.runner.http.Router;
import io.kubecoderun.runner.wire.ClaimRequest;
import io.kubecoderun.runner.wire.RunnerStatus;
import io.kubecoderun.runner.wire.WireException;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/** {@code POST /claim} (first lease wins, 409 for any other) and {@code GET /status}. */
public final class ClaimEndpoint {
    /** A claim body is one short id. */
    private static final long MAX_CLAIM_BODY = 4096;

    private final Claim claim;
    private final String podUid;
    private final String podName;
    private final String language;
    private final BooleanSupplier ready;
    private final Supplier<List<String>> languages;

    public ClaimEndpoint(
            Claim claim,
            String podUid,
            String podName,
            String language,
            BooleanSupplier ready,
            Supplier<List<String>> languages) {
        this.claim = claim;
        this.podUid = podUid;
        this.podName = podName;
        this.language = language;
        this.ready = ready;
        this.languages = languages;
    }

    public void claim(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "POST");
        Map<String, Object> json = Exchanges.readJsonObject(exchange, MAX_CLAIM_BODY);
        ClaimRequest request;
        try {
            request = ClaimRequest.fromJson(json);
        } catch (WireException e) {
            throw new RunnerException.BadRequest(e.error(), e.getMessage());
        }
        claim.claim(request, podUid);
        Exchanges.sendJson(exchange, 200, status().toJson());
    }

    public void status(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "GET");
        Map<String, Object> body = new java.util.LinkedHashMap<>(status().toJson());
        body.put("languages", languages.get());
        Exchanges.sendJson(exchange, 200, body);
    }

    private RunnerStatus status() {
        return claim.status(podUid, podName, language, ready.getAsBoolean());
    }
}
