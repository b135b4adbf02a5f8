package io.kubecoderun.state.api;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.state.StateInfo;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.StoredState;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SessionStore;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /state/{session_id}}: the Python state {@code /exec} saved, as stored (byte 0 the version: 1 raw
 * cloudpickle, 2 LZ4-compressed), with its SHA-256 as ETag. Only the session's owner sees it.
 */
@Path("/state/{session_id}")
public class StateResource {

    @Inject
    StateStore states;

    @Inject
    SessionStore sessions;

    @Inject
    Authenticator authenticator;

    @Inject
    KcrSettings settings;

    private Session session(HttpHeaders headers, String sessionId) {
        Principal principal;
        try {
            principal = authenticator.authenticate(headers::getHeaderString, null);
        } catch (AuthException e) {
            throw new ApiException.Unauthorized(e.getMessage());
        }
        return sessions.find(sessionId, principal.id()).orElseThrow(() -> new ApiException.NotFound("no state"));
    }

    @GET
    @Produces(MediaType.APPLICATION_OCTET_STREAM)
    public Response get(@PathParam("session_id") String sessionId, HttpHeaders headers) {
        session(headers, sessionId);
        StoredState state = states.load(sessionId).orElseThrow(() -> new ApiException.NotFound("no state"));
        String etag = "\"" + TieredStateStore.sha256(state.bytes()) + "\"";
        String ifNoneMatch = headers.getHeaderString("If-None-Match");
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals(etag.replace("\"", "")))) {
            return Response.notModified().header("ETag", etag).build();
        }
        return Response.ok(state.bytes())
                .header("ETag", etag)
                .header("X-State-Source", state.source())
                .build();
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Response upload(@PathParam("session_id") String sessionId, InputStream body, HttpHeaders headers)
            throws IOException {
        session(headers, sessionId);
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, settings.maxStateBytes() + 1));
        if (bytes.length > settings.maxStateBytes()) {
            throw new ApiException.TooLarge("state exceeds " + settings.maxStateBytes() + " bytes");
        }
        states.save(sessionId, bytes, settings.stateTtl());
        return Response.status(201)
                .entity(Map.of("message", "state_uploaded", "size", bytes.length))
                .build();
    }

    @GET
    @Path("info")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> info(@PathParam("session_id") String sessionId, HttpHeaders headers) {
        session(headers, sessionId);
        Optional<StateInfo> info = states.info(sessionId);
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exists", info.isPresent());
        json.put("session_id", sessionId);
        json.put("size_bytes", info.map(StateInfo::sizeBytes).orElse(0L));
        json.put("hash", info.map(StateInfo::hash).orElse(null));
        json.put("created_at", info.map(i -> i.createdAt().toString()).orElse(null));
        json.put(
                "expires_at",
                info.map(i -> i.expiresAt() == null ? null : i.expiresAt().toString())
                        .orElse(null));
        json.put("source", info.map(StateInfo::source).orElse(null));
        return json;
    }

    @DELETE
    public Response delete(@PathParam("session_id") String sessionId, HttpHeaders headers) {
        session(headers, sessionId);
        states.delete(sessionId);
        return Response.noContent().build();
    }
}
