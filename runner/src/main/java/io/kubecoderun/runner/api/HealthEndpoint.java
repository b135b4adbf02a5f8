package io.kubecoderun.runner.api;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.http.Exchanges;
import io.kubecoderun.runner.http.Router;
import java.io.IOException;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** {@code GET /health} (the process answers) and {@code GET /ready} (503 once shutdown has begun). */
public final class HealthEndpoint {
    private final BooleanSupplier ready;

    public HealthEndpoint(BooleanSupplier ready) {
        this.ready = ready;
    }

    public void health(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "GET", "HEAD");
        Exchanges.sendJson(exchange, 200, Map.of("status", "ok"));
    }

    public void ready(HttpExchange exchange, String rest) throws IOException {
        Router.requireMethod(exchange, "GET", "HEAD");
        boolean isReady = ready.getAsBoolean();
        Exchanges.sendJson(exchange, isReady ? 200 : 503, Map.of("status", isReady ? "ready" : "draining"));
    }
}
