package io.kubecoderun.runner.api;

import com.sun.net.httpserver.HttpExchange;
import io.kubecoderun.runner.Claim;
import io.kubecoderun.runner.files.Workspace;
import io.kubecoderun.runner.http.Exchanges;
import io.kubecoderun.runner.http.Router;
import io.kubecoderun.runner.wire.FileEntry;
import io.kubecoderun.runner.wire.RunnerHeaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /files} (recursive listing), {@code PUT /files/{path}} (streamed upload, 201), {@code GET
 * /files/{path}} (streamed download) and {@code DELETE /files/{path}} (204), all confined by {@link Workspace}.
 */
public final class FilesEndpoint {
    private final Workspace workspace;
    private final Claim claim;

    public FilesEndpoint(Workspace workspace, Claim claim) {
        this.workspace = workspace;
        this.claim = claim;
    }

    public void files(HttpExchange exchange, String rest) throws IOException {
        claim.authorize(exchange.getRequestHeaders().getFirst(RunnerHeaders.LEASE_ID));
        if (rest.isEmpty()) {
            Router.requireMethod(exchange, "GET");
            list(exchange);
            return;
        }
        String path = Exchanges.decodePath(rest);
        switch (exchange.getRequestMethod()) {
            case "PUT" -> {
                FileEntry entry;
                try (InputStream body = exchange.getRequestBody()) {
                    entry = workspace.write(path, body);
                }
                Exchanges.sendJson(exchange, 201, entry.toJson());
            }
            case "GET", "HEAD" -> download(exchange, path);
            case "DELETE" -> {
                workspace.delete(path);
                Exchanges.sendEmpty(exchange, 204);
            }
            default -> Router.requireMethod(exchange, "PUT", "GET", "HEAD", "DELETE");
        }
    }

    private void list(HttpExchange exchange) throws IOException {
        Workspace.Listing listing = workspace.list();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("files", FileEntry.toJson(listing.files()));
        body.put("truncated", listing.truncated());
        Exchanges.sendJson(exchange, 200, body);
    }

    private void download(HttpExchange exchange, String path) throws IOException {
        try (InputStream in = workspace.open(path)) {
            long size = workspace.size(path);
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            if (exchange.getRequestMethod().equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(size));
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            exchange.sendResponseHeaders(200, size == 0 ? -1 : size);
            try (OutputStream out = exchange.getResponseBody()) {
                in.transferTo(out);
            }
        }
    }
}
