package io.kubecoderun.controller.app;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready once a controller runs here or another replica leads (a follower is ready to take over). */
@Readiness
@ApplicationScoped
public class ControllerHealth implements HealthCheck {
    @Inject
    ControllerApp app;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("pool-controller")
                .up()
                .withData("leading", app.active())
                .build();
    }
}
