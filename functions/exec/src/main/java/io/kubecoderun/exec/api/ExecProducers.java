package io.kubecoderun.exec.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.exec.service.ExecService;
import io.kubecoderun.exec.service.ExecSettings;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.runner.wire.RunnerClient;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The exec service from the shared stores and the settings ({@code MAX_EXECUTION_TIME} and friends). */
@ApplicationScoped
public class ExecProducers {

    @Produces
    @Singleton
    public ExecService execService(
            LeaseRegistry registry,
            SessionStore sessions,
            FileStore files,
            StateStore states,
            KcrSettings settings,
            PoolSettings pools,
            ExecMeters meters) {
        ExecSettings defaults = ExecSettings.defaults();
        ExecSettings exec = new ExecSettings(
                defaults.maxCodeBytes(),
                defaults.defaultTimeout(),
                settings.maxExecutionTime(),
                settings.maxOutputFiles(),
                settings.maxFileBytes(),
                settings.maxStateBytes(),
                settings.sessionTtl(),
                settings.stateTtl(),
                defaults.acquireWait(),
                defaults.coldWait(),
                pools.jobOnExhaustion(),
                defaults.claimAttempts());
        return new ExecService(registry, sessions, files, states, new RunnerClient(), exec, meters);
    }
}
