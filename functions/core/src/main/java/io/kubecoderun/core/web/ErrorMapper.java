package io.kubecoderun.core.web;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.store.StoreException;
import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.core.state.StateCodec;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every error as the API's JSON body {@code {"error", "error_type", "details"?, "request_id"}}, in one place:
 * the caller's mistakes (4xx) apart from dependencies being down (503 with Retry-After). Unexpected failures
 * are logged with the request id the caller receives.
 */
@jakarta.enterprise.context.ApplicationScoped
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

    static Response body(int status, String type, String message, java.util.List<String> details, long retryAfter) {
        String requestId = Ids.next();
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("error", message);
        json.put("error_type", type);
        if (details != null && !details.isEmpty()) {
            json.put("details", details);
        }
        if (status == 429) {
            json.put("retry_after_seconds", retryAfter);
        }
        json.put("request_id", requestId);
        Response.ResponseBuilder builder = Response.status(status).type(MediaType.APPLICATION_JSON).entity(json)
                .header("X-Request-Id", requestId);
        if (retryAfter > 0) {
            builder.header("Retry-After", Long.toString(retryAfter));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        long retry = e instanceof ApiException.Unavailable u ? u.retryAfterSeconds()
                : e instanceof ApiException.RateLimited r ? r.retryAfterSeconds() : 0;
        return body(e.status(), e.errorType(), e.getMessage(), e.details(), retry);
    }

    @ServerExceptionMapper
    public Response store(StoreException e) {
        if (e instanceof StoreException.NotFound) {
            return body(404, "not_found", "not found", null, 0);
        }
        return body(413, "too_large", e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response unavailable(DependencyUnavailableException e) {
        LOG.warning("event=dependency_unavailable error=" + e.getMessage());
        return body(503, "dependency_unavailable", "a storage dependency is unavailable; retry shortly", null, 5);
    }

    @ServerExceptionMapper
    public Response invalidState(StateCodec.InvalidStateException e) {
        return body(400, "invalid_state", e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return body(404, "not_found", "no such route", null, 0);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return body(status, status == 405 ? "method_not_allowed" : status == 415 ? "unsupported_media_type"
                : "http_" + status, e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        Response response = body(500, "internal", "internal error", null, 0);
        LOG.log(Level.SEVERE, "event=unexpected_error request_id=" + response.getHeaderString("X-Request-Id"), e);
        return response;
    }
}
