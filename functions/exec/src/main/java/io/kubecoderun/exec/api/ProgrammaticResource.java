package io.kubecoderun.exec.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.exec.service.Cancellation;
import io.kubecoderun.exec.service.ProgrammaticService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * {@code POST /exec/programmatic} (start or continue) and {@code POST /exec/programmatic/cancel}. A caller that
 * disconnects while its round trip runs cancels the execution, as LibreChat's abort does.
 */
@Path("/exec/programmatic")
public class ProgrammaticResource {
    /** A continuation carries tool results (each capped at 1 MiB by default): more room than {@code /exec}. */
    static final int MAX_BODY_BYTES = 8 * 1024 * 1024;

    public static final String REQUEST_ID_HEADER = "X-LibreChat-Code-Request-ID";
    /** LibreChat's attached workspaces: bash in a persistent project per agent, which this service does not keep. */
    public static final String WORKSPACE_HEADER = "X-LibreChat-Code-Workspace-ID";

    @Inject
    ProgrammaticService service;

    @Inject
    Authenticator authenticator;

    @Inject
    ObjectMapper mapper;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> run(byte[] body, HttpHeaders headers, @Context HttpServerRequest http) {
        Map<String, Object> json = object(body, MAX_BODY_BYTES);
        Principal principal = principal(headers, json);
        if (headers.getHeaderString(WORKSPACE_HEADER) != null) {
            throw new ApiException.CapabilityUnsupported(
                    ErrorType.STATEFUL_WORKSPACE_UNSUPPORTED,
                    "attached workspaces (a persistent project per agent) are not provided by this deployment");
        }
        String requestId = ProgrammaticJson.requestId(headers.getHeaderString(REQUEST_ID_HEADER));
        Cancellation cancellation = ExecResource.cancelledOnDisconnect(http);
        if (ProgrammaticJson.isContinuation(json)) {
            return ProgrammaticJson.answer(
                    service.resume(
                            principal,
                            ProgrammaticJson.token(json),
                            ProgrammaticJson.results(json),
                            requestId,
                            cancellation),
                    mapper);
        }
        return ProgrammaticJson.answer(
                service.start(
                        principal, ProgrammaticJson.start(json), ProgrammaticJson.tools(json), requestId, cancellation),
                mapper);
    }

    @POST
    @Path("/cancel")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response cancel(byte[] body, HttpHeaders headers) {
        Map<String, Object> json = object(body, 16 * 1024);
        Principal principal = principal(headers, json);
        if (!(json.get("request_id") instanceof String id)) {
            throw new ApiException.BadRequest(ErrorType.INVALID_REQUEST_ID, "'request_id' is required");
        }
        String requestId = ProgrammaticJson.requestId(id);
        if (requestId == null) {
            throw new ApiException.BadRequest(ErrorType.INVALID_REQUEST_ID, "'request_id' must not be empty");
        }
        return switch (service.cancel(principal, requestId)) {
            case CANCELLED ->
                Response.status(202)
                        .entity(Map.of("status", "cancelled", "request_id", requestId))
                        .build();
            case ALREADY_COMPLETED ->
                Response.ok(Map.of("status", "already_completed", "request_id", requestId))
                        .build();
        };
    }

    private Principal principal(HttpHeaders headers, Map<String, Object> json) {
        return JsonBodies.principal(authenticator, headers, json);
    }

    private Map<String, Object> object(byte[] body, int cap) {
        return JsonBodies.object(mapper, body, cap);
    }
}
