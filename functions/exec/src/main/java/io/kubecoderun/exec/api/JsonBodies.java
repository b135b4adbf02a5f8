package io.kubecoderun.exec.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import jakarta.ws.rs.core.HttpHeaders;
import java.util.Map;

/**
 * The exec routes' bodies: a JSON object within a size cap (413 beyond, 422 when it is not an object), and the
 * caller it names — headers first, then (older LibreChat agents) the key in the body.
 */
final class JsonBodies {
    private JsonBodies() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> object(ObjectMapper mapper, byte[] body, int cap) {
        if (body.length > cap) {
            throw new ApiException.TooLarge("request body exceeds " + cap + " bytes");
        }
        try {
            Object parsed = mapper.readValue(body, Object.class);
            if (!(parsed instanceof Map<?, ?>)) {
                throw new ApiException.Unprocessable("the body must be a JSON object");
            }
            return (Map<String, Object>) parsed;
        } catch (JsonProcessingException e) {
            throw new ApiException.Unprocessable("malformed JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new ApiException.Unprocessable("unreadable body");
        }
    }

    static Principal principal(Authenticator authenticator, HttpHeaders headers, Map<String, Object> json) {
        try {
            return authenticator.authenticate(headers::getHeaderString, json);
        } catch (AuthException e) {
            throw new ApiException.Unauthorized(e.getMessage());
        }
    }
}
