package io.kubecoderun.health.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.StoredKeys;
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
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The admin API for stored API keys, in the operator's function: {@code POST /admin/keys} creates one and shows it
 * once, {@code GET /admin/keys} lists them (id, name, created; never a key), {@code DELETE /admin/keys/{id}}
 * revokes one on every replica at once. Only {@code MASTER_API_KEY}, in a header, may call it; without one
 * configured the API answers 403 {@code admin_disabled}. Keys are kept hashed (Redis, or memory without it).
 */
@Path("/admin/keys")
@Produces(MediaType.APPLICATION_JSON)
public class AdminKeysResource {
    private static final Logger LOG = Logger.getLogger(AdminKeysResource.class.getName());
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}");
    private static final Pattern ID = Pattern.compile("[0-9a-f]{12}");

    @Inject
    Authenticator authenticator;

    @Inject
    ObjectMapper mapper;

    private StoredKeys admin(HttpHeaders headers) {
        try {
            authenticator.authenticateAdmin(headers::getHeaderString);
        } catch (AuthException e) {
            throw new ApiException.Unauthorized(e.getMessage());
        }
        return authenticator
                .storedKeys()
                .orElseThrow(() -> new ApiException.Forbidden(ErrorType.ADMIN_DISABLED, "no key store is configured"));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response create(byte[] body, HttpHeaders headers) {
        StoredKeys keys = admin(headers); // credentials first: nothing about the body is said to a stranger
        JsonNode json;
        try {
            json = mapper.readTree(body == null || body.length == 0 ? "{}".getBytes() : body);
        } catch (java.io.IOException e) {
            throw new ApiException.Unprocessable("malformed JSON");
        }
        String name = json.path("name").isTextual() ? json.path("name").asText() : null;
        if (name == null || !NAME.matcher(name).matches()) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_NAME,
                    "name: 1 to 64 characters of letters, digits, space, "
                            + "'.', '_' and '-', starting with a letter or digit",
                    List.of());
        }
        StoredKeys.CreatedKey created;
        try {
            created = keys.create(name, Instant.now());
        } catch (StoredKeys.LimitReachedException e) {
            throw new ApiException.Conflict(ErrorType.KEY_LIMIT_REACHED, e.getMessage());
        }
        LOG.info("event=api_key_created id=" + created.stored().id() + " name=\"" + name + "\"");
        Map<String, Object> answer = describe(created.stored());
        answer.put("key", created.key());
        return Response.status(201).entity(answer).build();
    }

    @GET
    public List<Map<String, Object>> list(HttpHeaders headers) {
        return admin(headers).list().stream().map(AdminKeysResource::describe).toList();
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") String id, HttpHeaders headers) {
        StoredKeys keys = admin(headers);
        if (!ID.matcher(id).matches() || !keys.delete(id)) {
            throw new ApiException.NotFound("no stored key " + (ID.matcher(id).matches() ? id : "with that id"));
        }
        LOG.info("event=api_key_deleted id=" + id);
        return Response.noContent().build();
    }

    private static Map<String, Object> describe(StoredKeys.StoredKey key) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", key.id());
        json.put("name", key.name());
        json.put("created_at", key.createdAt().toString());
        return json;
    }
}
