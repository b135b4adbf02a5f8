package io.kubecoderun.state.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.TieredStateStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.util.logging.Logger;

/**
 * Copies states about to expire from Redis to object storage every minute, and on a store without lifecycle
 * rules prunes archives past their retention ({@code STATE_ARCHIVE_TTL_DAYS}).
 */
@ApplicationScoped
public class StateArchiver {
    private static final Logger LOG = Logger.getLogger(StateArchiver.class.getName());

    @Inject
    StateStore states;
    @Inject
    KcrSettings settings;

    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void archive() {
        try {
            states.archiveExpiring(settings.stateArchiveAfter());
            if (settings.minioEndpoint().isEmpty() && states instanceof TieredStateStore tiered) {
                tiered.pruneArchive(settings.stateArchiveRetention());
            }
        } catch (RuntimeException e) {
            LOG.warning("event=state_archive_failed error=" + e.getMessage());
        }
    }
}
