package io.kubecoderun.core.web;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ApiHeaders;
import io.kubecoderun.core.api.ErrorBody;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.state.StateCodec;
import io.kubecoderun.core.store.StoreException;
import io.kubecoderun.registry.DependencyUnavailableException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every error as the API's JSON body {@code {"error", "error_type", "details"?, "request_id"}}, in one place:
 * the caller's mistakes (4xx) apart from dependencies being down (503 with Retry-After). Unexpected failures
 * are logged with the request id the caller receives.
 */
@jakarta.enterprise.context.ApplicationScoped
public class ErrorMapper {
    private static final Logger LOG = Logger.getLogger(ErrorMapper.class.getName());

    static Response body(int status, String type, String message, java.util.List<String> details, long retryAfter) {
        return body(status, type, message, details, retryAfter, java.util.Map.of());
    }

    /** With {@code extra} fields (a few refusals carry what a client reads), placed before {@code request_id}. */
    static Response body(
            int status,
            String type,
            String message,
            java.util.List<String> details,
            long retryAfter,
            java.util.Map<String, Object> extra) {
        String requestId = Ids.next();
        ErrorBody body = new ErrorBody(
                message,
                type,
                details == null ? java.util.List.of() : details,
                status == 429 ? retryAfter : null,
                requestId);
        Object json = body;
        if (!extra.isEmpty()) {
            java.util.Map<String, Object> fields = new java.util.LinkedHashMap<>();
            fields.put("error", body.error());
            fields.put("error_type", body.errorType());
            if (!body.details().isEmpty()) {
                fields.put("details", body.details());
            }
            extra.forEach(fields::putIfAbsent);
            fields.put("request_id", requestId);
            json = fields;
        }
        Response.ResponseBuilder builder = Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(json)
                .header(ApiHeaders.REQUEST_ID, requestId);
        if (retryAfter > 0) {
            builder.header(ApiHeaders.RETRY_AFTER, Long.toString(retryAfter));
        }
        return builder.build();
    }

    @ServerExceptionMapper
    public Response api(ApiException e) {
        long retry = e instanceof ApiException.Unavailable u
                ? u.retryAfterSeconds()
                : e instanceof ApiException.RateLimited r ? r.retryAfterSeconds() : 0;
        return body(e.status(), e.errorType(), e.getMessage(), e.details(), retry, e.extra());
    }

    @ServerExceptionMapper
    public Response store(StoreException e) {
        if (e instanceof StoreException.NotFound) {
            return body(404, ErrorType.NOT_FOUND.wire(), "not found", null, 0);
        }
        return body(413, ErrorType.TOO_LARGE.wire(), e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response unavailable(DependencyUnavailableException e) {
        LOG.warning("event=dependency_unavailable error=" + e.getMessage());
        return body(
                503,
                ErrorType.DEPENDENCY_UNAVAILABLE.wire(),
                "a storage dependency is unavailable; retry shortly",
                null,
                5);
    }

    @ServerExceptionMapper
    public Response invalidState(StateCodec.InvalidStateException e) {
        return body(400, ErrorType.INVALID_STATE.wire(), e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return body(404, ErrorType.NOT_FOUND.wire(), "no such route", null, 0);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String type =
                switch (status) {
                    case 405 -> ErrorType.METHOD_NOT_ALLOWED.wire();
                    case 415 -> ErrorType.UNSUPPORTED_MEDIA_TYPE.wire();
                    default -> "http_" + status; // a framework refusal without a type of its own
                };
        return body(status, type, e.getMessage(), null, 0);
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        Response response = body(500, ErrorType.INTERNAL.wire(), "internal error", null, 0);
        LOG.log(
                Level.SEVERE,
                "event=unexpected_error request_id=" + response.getHeaderString(ApiHeaders.REQUEST_ID),
                e);
        return response;
    }
}
