package io.kubecoderun.core.embedded;

import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.quarkus.arc.InjectableInstance;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Runs {@link EmbeddedSweep} where the embedded store is in use (no Redis): a first pass just after start-up, in
 * the background so that a large store does not delay it, then every ten minutes.
 */
@ApplicationScoped
public class EmbeddedMaintenance {
    private static final Logger LOG = Logger.getLogger(EmbeddedMaintenance.class.getName());
    static final long FIRST_PASS_SECONDS = 2;
    static final long INTERVAL_SECONDS = 600;

    @Inject
    SessionStore sessions;

    /** Resolved only where the embedded store is in use: elsewhere it is the object store, not this class's. */
    @Inject
    jakarta.enterprise.inject.Instance<FileStore> files;

    @Inject
    InjectableInstance<EmbeddedDatabase> db;

    private ScheduledExecutorService executor;

    void start(@Observes StartupEvent event) {
        if (!(sessions instanceof SqliteSessionStore sqlite)) {
            return;
        }
        EmbeddedSweep sweep = new EmbeddedSweep(db.get(), sqlite, files.get(), Clock.systemUTC(), EmbeddedSweep.GRACE);
        executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "kcr-embedded-sweep");
            thread.setDaemon(true);
            return thread;
        });
        executor.scheduleWithFixedDelay(
                () -> {
                    try {
                        sweep.run();
                    } catch (RuntimeException e) {
                        LOG.warning("event=embedded_sweep_failed error=\"" + e.getMessage() + "\"");
                    }
                },
                FIRST_PASS_SECONDS,
                INTERVAL_SECONDS,
                TimeUnit.SECONDS);
    }

    void stop(@Observes ShutdownEvent event) {
        if (executor != null) {
            executor.shutdownNow();
            try {
                executor.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
