package io.kubecoderun.tests.deploy;

import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import java.util.List;
import java.util.Optional;

/**
 * The public routes of API.md (method and path, ids as placeholders), which function serves each, and how the
 * HTTPRoute of knative/ sends a path to a function. Every route is also public under {@code /v1}.
 */
public final class PublicRoutes {
    public record Route(String method, String path, String function) {}

    public static final List<Route> ALL = List.of(
            new Route("POST", "/exec", "exec"),
            new Route("POST", "/upload", "files"),
            new Route("POST", "/upload/batch", "files"),
            new Route("GET", "/files/{session_id}", "files"),
            new Route("GET", "/sessions/{session_id}/objects/{file_id}", "files"),
            new Route("GET", "/download/{session_id}/{file_id}", "files"),
            new Route("OPTIONS", "/download/{session_id}/{file_id}", "files"),
            new Route("DELETE", "/files/{session_id}/{file_id}", "files"),
            new Route("GET", "/state/{session_id}", "state"),
            new Route("POST", "/state/{session_id}", "state"),
            new Route("GET", "/state/{session_id}/info", "state"),
            new Route("DELETE", "/state/{session_id}", "state"),
            new Route("GET", "/health", "health"),
            new Route("GET", "/ready", "health"),
            new Route("GET", "/health/detailed", "health"),
            new Route("GET", "/health/redis", "health"),
            new Route("GET", "/health/storage", "health"),
            new Route("GET", "/health/minio", "health"),
            new Route("GET", "/health/kubernetes", "health"),
            new Route("GET", "/metrics/pool", "health"),
            new Route("GET", "/admin/keys", "health"),
            new Route("POST", "/admin/keys", "health"),
            new Route("DELETE", "/admin/keys/{file_id}", "health"));

    private PublicRoutes() {}

    /** The HTTPRoute of knative/base (the overlays keep its rules; DeploymentManifestsTest checks each rendering). */
    public static HTTPRoute baseRoute() {
        return Manifests.render(Manifests.knative().resolve("base")).stream()
                .filter(HTTPRoute.class::isInstance)
                .map(HTTPRoute.class::cast)
                .findFirst()
                .orElseThrow();
    }

    /** A concrete path for a route: placeholders filled with well-formed ids. */
    public static String concrete(String path, String sessionId, String fileId) {
        return path.replace("{session_id}", sessionId).replace("{file_id}", fileId);
    }

    /**
     * The function an HTTPRoute sends {@code path} to: the rule with the longest matching PathPrefix (Gateway API
     * precedence; a prefix matches whole path segments), its host rewrite naming the function's cluster-local
     * Knative Service ({@code exec.kubecoderun.svc} is the exec function).
     */
    public static Optional<String> functionFor(HTTPRoute route, String path) {
        String best = null;
        HTTPRouteRule bestRule = null;
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            for (HTTPRouteMatch match : rule.getMatches()) {
                if (!"PathPrefix".equals(match.getPath().getType())) {
                    throw new AssertionError("only PathPrefix matches are expected, found " + match.getPath());
                }
                String prefix = match.getPath().getValue();
                boolean matches = prefix.equals("/") || path.equals(prefix) || path.startsWith(prefix + "/");
                if (matches && (best == null || prefix.length() > best.length())) {
                    best = prefix;
                    bestRule = rule;
                }
            }
        }
        if (bestRule == null) {
            return Optional.empty();
        }
        for (HTTPRouteFilter filter : bestRule.getFilters()) {
            if ("URLRewrite".equals(filter.getType()) && filter.getUrlRewrite().getHostname() != null) {
                return Optional.of(filter.getUrlRewrite().getHostname().split("\\.", 2)[0]);
            }
        }
        throw new AssertionError("the rule for " + best + " rewrites no host name, so it reaches no function");
    }
}
