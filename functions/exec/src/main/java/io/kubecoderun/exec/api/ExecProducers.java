package io.kubecoderun.exec.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.registry.LeaseRegistry;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.exec.service.ExecService;
import io.kubecoderun.exec.service.ExecSettings;
import io.kubecoderun.exec.service.RunnerClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;

/** The exec service from the shared stores and the settings ({@code MAX_EXECUTION_TIME} and friends). */
@ApplicationScoped
public class ExecProducers {

    @Produces
    @Singleton
    public ExecService execService(LeaseRegistry registry, SessionStore sessions, FileStore files, StateStore states,
                                   KcrSettings settings, Config config, ExecMeters meters) {
        ExecSettings defaults = ExecSettings.defaults();
        boolean jobs = config.getOptionalValue("POD_POOL_EXHAUSTION_TRIGGER", Boolean.class).orElse(true);
        ExecSettings exec = new ExecSettings(defaults.maxCodeBytes(), defaults.defaultTimeout(),
                settings.maxExecutionTime(), settings.maxOutputFiles(), settings.maxFileBytes(),
                settings.maxStateBytes(), settings.sessionTtl(), settings.stateTtl(), defaults.acquireWait(),
                defaults.coldWait(), jobs, defaults.claimAttempts());
        return new ExecService(registry, sessions, files, states, new RunnerClient(), exec, meters);
    }
}
