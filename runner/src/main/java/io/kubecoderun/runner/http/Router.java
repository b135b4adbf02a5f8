package io.kubecoderun.runner.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.wire.RunnerError;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Dispatches by exact path or path prefix and maps every failure to the JSON error body in one place; an
 * unexpected exception is a 500 with a log line, never a dropped connection.
 */
public final class Router implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(Router.class.getName());

    /** A handler that may throw {@link RunnerException}. */
    @FunctionalInterface
    public interface Endpoint {
        void handle(HttpExchange exchange, String rest) throws IOException;
    }

    private record Route(String path, boolean prefix, Endpoint endpoint) {}

    private final List<Route> routes = new ArrayList<>();

    public Router exact(String path, Endpoint endpoint) {
        routes.add(new Route(path, false, endpoint));
        return this;
    }

    /** Matches {@code path} itself (rest "") and anything below {@code path + "/"} (rest after the slash). */
    public Router prefix(String path, Endpoint endpoint) {
        routes.add(new Route(path, true, endpoint));
        return this;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        try {
            for (Route route : routes) {
                if (path.equals(route.path())) {
                    route.endpoint().handle(exchange, "");
                    return;
                }
                if (route.prefix() && path.startsWith(route.path() + "/")) {
                    route.endpoint()
                            .handle(exchange, path.substring(route.path().length() + 1));
                    return;
                }
            }
            throw new RunnerException.NotFound("no endpoint " + path);
        } catch (RunnerException e) {
            Exchanges.sendError(exchange, e);
        } catch (IOException e) {
            LOG.log(Level.FINE, "client connection failed", e);
            exchange.close();
        } catch (RuntimeException e) {
            LOG.log(Level.SEVERE, "event=handler_failed path=" + path, e);
            Exchanges.sendJson(
                    exchange,
                    500,
                    java.util.Map.of("error", "internal runner error", "error_type", RunnerError.INTERNAL.wire()));
        } finally {
            exchange.close();
        }
    }

    public static void requireMethod(HttpExchange exchange, String... allowed) {
        for (String method : allowed) {
            if (method.equals(exchange.getRequestMethod())) {
                return;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        throw new RunnerException.MethodNotAllowed(exchange.getRequestMethod());
    }
}
