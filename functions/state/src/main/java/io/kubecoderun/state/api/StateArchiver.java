package io.kubecoderun.state.api;

import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.config.ObjectStoreSettings;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.TieredStateStore;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Copies states about to expire from Redis to object storage, and on a store without lifecycle rules prunes
 * archives past their retention ({@code STATE_ARCHIVE_TTL_DAYS}). A pass runs every minute while the function is
 * up, and on a ping ({@link StateArchiveTrigger}) that wakes the function while Knative has scaled it to zero.
 * One pass at a time; a triggered pass within {@link #MIN_INTERVAL} of the last triggered one is skipped, so the
 * unauthenticated trigger can add at most one pass per 30 seconds to the schedule's one a minute.
 */
@ApplicationScoped
public class StateArchiver {
    static final Duration MIN_INTERVAL = Duration.ofSeconds(30);
    private static final Logger LOG = Logger.getLogger(StateArchiver.class.getName());

    /** What a pass did: {@code ran} false when skipped (another pass running, or one ran just now). */
    public record Pass(boolean ran, int archived, int pruned) {}

    @Inject
    StateStore states;

    @Inject
    KcrSettings settings;

    @Inject
    ObjectStoreSettings objects;

    private final AtomicBoolean running = new AtomicBoolean();
    private final AtomicLong lastTriggeredNanos = new AtomicLong(System.nanoTime() - MIN_INTERVAL.toNanos());

    @Scheduled(every = "60s", delayed = "30s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        archive();
    }

    /** A pass for the trigger: skipped when one is running or the last triggered pass began under 30 s ago. */
    public Pass triggered() {
        long now = System.nanoTime();
        long last = lastTriggeredNanos.get();
        if (now - last < MIN_INTERVAL.toNanos() || !lastTriggeredNanos.compareAndSet(last, now)) {
            return new Pass(false, 0, 0);
        }
        return archive();
    }

    /** A pass now, unless one is running. */
    Pass archive() {
        if (!running.compareAndSet(false, true)) {
            return new Pass(false, 0, 0);
        }
        try {
            int archived = states.archiveExpiring(settings.stateArchiveAfter());
            int pruned = 0;
            if (objects.endpoint().isEmpty() && states instanceof TieredStateStore tiered) {
                pruned = tiered.pruneArchive(settings.stateArchiveRetention());
            }
            if (archived > 0 || pruned > 0) {
                LOG.info("event=state_archive archived=" + archived + " pruned=" + pruned);
            }
            return new Pass(true, archived, pruned);
        } catch (RuntimeException e) {
            LOG.warning("event=state_archive_failed error=" + e.getMessage());
            throw e;
        } finally {
            running.set(false);
        }
    }
}
