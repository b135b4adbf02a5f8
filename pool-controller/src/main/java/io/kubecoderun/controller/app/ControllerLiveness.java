package io.kubecoderun.controller.app;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;

/**
 * Live while this replica does its job (see {@link ControllerApp#alive()}): a replica whose leader election has
 * stopped would never lead again, so it answers DOWN and the kubelet restarts it.
 */
@Liveness
@ApplicationScoped
public class ControllerLiveness implements HealthCheck {
    @Inject
    ControllerApp app;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("pool-controller-election")
                .status(app.alive())
                .withData("leading", app.active())
                .build();
    }
}
