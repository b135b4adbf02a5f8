package io.kubecoderun.standalone;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import java.util.Map;

/**
 * {@code GET /health} and {@code GET /ready} of the public API, without credentials and without touching any
 * dependency; the detailed checks arrive with the health function.
 */
@Path("/")
public class HealthResource {

    @GET
    @Path("health")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> health() {
        return Map.of("status", "healthy");
    }

    @GET
    @Path("ready")
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> ready() {
        return Map.of("status", "ready");
    }
}
