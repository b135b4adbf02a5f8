package io.kubecoderun.core.web;

import io.kubecoderun.core.api.ApiException;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.container.ContainerRequestContext;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * LibreChat's execution-profile assertion. Every answer, on every route and whoever produced it (errors and the
 * server's own refusals too), names this deployment's profile in {@code X-CodeAPI-Execution-Profile}; a request
 * whose {@code X-CodeAPI-Expected-Profile} names another profile is refused before routing with 409
 * {@code execution_profile_mismatch}, which the client reports as a permanent capability mismatch instead of
 * running against the wrong backend. A request without the header (older clients) is served as before.
 *
 * <p>The profile is {@code default}: files in {@code /mnt/data} carry over between calls only as the caller's
 * session injects them, Python variables carry over through the saved state, and every execution runs in a fresh
 * sandbox process. {@code stateful} promises a warm machine whose {@code /mnt/data} persists whether or not the
 * caller injects it (and runtime-session affinity), which this service does not keep.
 */
@ApplicationScoped
public class ExecutionProfile {
    public static final String EXPECTED_HEADER = "X-CodeAPI-Expected-Profile";
    public static final String HEADER = "X-CodeAPI-Execution-Profile";
    public static final String PROFILE = "default";

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            rc.addHeadersEndHandler(v -> rc.response().headers().set(HEADER, PROFILE));
            rc.next();
        });
    }

    @ServerRequestFilter(preMatching = true)
    public void assertProfile(ContainerRequestContext request) {
        String expected = request.getHeaderString(EXPECTED_HEADER);
        if (expected != null
                && !expected.isBlank()
                && !expected.strip().toLowerCase(Locale.ROOT).equals(PROFILE)) {
            throw new ApiException.ProfileMismatch(expected.strip(), PROFILE);
        }
    }
}
