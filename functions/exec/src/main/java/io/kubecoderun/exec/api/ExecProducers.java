package io.kubecoderun.exec.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.exec.programmatic.ExpiringValues;
import io.kubecoderun.exec.programmatic.InMemoryExpiringValues;
import io.kubecoderun.exec.programmatic.RedisExpiringValues;
import io.kubecoderun.exec.service.ExecService;
import io.kubecoderun.exec.service.ExecSettings;
import io.kubecoderun.exec.service.ProgrammaticService;
import io.kubecoderun.exec.service.ProgrammaticSettings;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.registry.redis.RedisBackend;
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
                defaults.claimAttempts(),
                pools::target);
        return new ExecService(registry, sessions, files, states, new RunnerClient(), exec, meters);
    }

    /**
     * Expiring values in Redis where there is one (every replica sees them), else in this process: programmatic
     * round trips, and the answers of exec events kept for a redelivery ({@link ExecEvents}).
     */
    @Produces
    @Singleton
    public ExpiringValues expiringValues(RedisBackend redis) {
        return redis.client()
                .<ExpiringValues>map(client -> new RedisExpiringValues(client, redis.keyPrefix()))
                .orElseGet(() -> new InMemoryExpiringValues(System::currentTimeMillis));
    }

    /** Programmatic executions, their round trips kept in Redis where there is one (any replica continues them). */
    @Produces
    @Singleton
    public ProgrammaticService programmatic(ExecService exec, ExpiringValues values, KcrSettings settings) {
        return new ProgrammaticService(
                exec,
                values,
                new ProgrammaticSettings(
                        java.time.Duration.ofSeconds(settings.programmaticIdleTimeoutSeconds()),
                        (int) Math.min(Integer.MAX_VALUE, settings.programmaticMaxTools()),
                        settings.programmaticMaxResultBytes(),
                        settings.programmaticMaxHistoryBytes(),
                        (int) Math.min(Integer.MAX_VALUE, settings.programmaticMaxToolCalls())));
    }
}
