package io.kubecoderun.exec.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.exec.service.Cancellation;
import io.kubecoderun.exec.service.ExecService;
import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** {@code POST /exec} (and {@code /v1/exec}, {@code //exec} through the route normaliser). */
@Path("/exec")
public class ExecResource {
    /** The request body limit before any parsing: code (512 KiB) plus JSON overhead and file references. */
    static final int MAX_BODY_BYTES = 2 * 1024 * 1024;

    @Inject
    ExecService service;

    @Inject
    Authenticator authenticator;

    @Inject
    ObjectMapper mapper;

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public ExecResponse exec(byte[] body, HttpHeaders headers, @Context HttpServerRequest http) {
        Map<String, Object> json = JsonBodies.object(mapper, body, MAX_BODY_BYTES);
        Principal principal = JsonBodies.principal(authenticator, headers, json);
        return ExecResponse.of(service.execute(principal, ExecJson.request(json), cancelledOnDisconnect(http)));
    }

    /**
     * A cancellation that fires when the caller's connection closes before the answer went out (LibreChat aborts a
     * tool call that way): the runner is told off the event loop, and the execution's sandbox is released at once.
     */
    static Cancellation cancelledOnDisconnect(HttpServerRequest http) {
        Cancellation cancellation = Cancellation.none();
        if (http != null) {
            http.response().closeHandler(closed -> Thread.ofVirtual()
                    .name("kcr-cancel")
                    .start(() -> cancellation.cancel("the caller disconnected")));
        }
        return cancellation;
    }
}
