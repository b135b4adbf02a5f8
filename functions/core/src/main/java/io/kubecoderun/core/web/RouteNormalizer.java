package io.kubecoderun.core.web;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Serves every route at the root and under {@code /v1} (LibreChat's base URL convention) and tolerates doubled
 * slashes ({@code //exec}) from clients that join paths naively: the path is rewritten before routing.
 */
@ApplicationScoped
public class RouteNormalizer {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(RouteNormalizer::normalize);
    }

    private static void normalize(RoutingContext rc) {
        String path = rc.request().path();
        String normalized = normalize(path);
        if (!normalized.equals(path)) {
            String query = rc.request().query();
            rc.reroute(rc.request().method(), query == null ? normalized : normalized + "?" + query);
            return;
        }
        rc.next();
    }

    static String normalize(String path) {
        String collapsed = path.replaceAll("/{2,}", "/");
        if (collapsed.equals("/v1")) {
            return "/";
        }
        if (collapsed.startsWith("/v1/")) {
            return collapsed.substring(3);
        }
        return collapsed;
    }
}
