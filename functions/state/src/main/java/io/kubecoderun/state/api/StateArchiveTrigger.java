package io.kubecoderun.state.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * {@code POST /internal/archive-state}: one archive pass, for the Knative PingSource that wakes the state function
 * while it is scaled to zero (knative/base/eventing.yaml). The body (a ping CloudEvent in any mode) is ignored.
 * Not on the public route; it needs no credentials because it can only start the pass the schedule would run
 * anyway: passes do not overlap and a trigger within 30 seconds of the last one is skipped. Answers
 * {@code {"ran":true,"archived":N,"pruned":M}} or {@code {"ran":false}} (skipped), 200 either way so the source
 * does not retry.
 */
@Path("/internal/archive-state")
public class StateArchiveTrigger {
    @Inject
    StateArchiver archiver;

    @POST
    @Produces(MediaType.APPLICATION_JSON)
    public Map<String, Object> archive() {
        StateArchiver.Pass pass = archiver.triggered();
        return pass.ran()
                ? Map.of("ran", true, "archived", pass.archived(), "pruned", pass.pruned())
                : Map.of("ran", false);
    }
}
