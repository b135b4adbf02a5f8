package io.kubecoderun.exec.programmatic;

import java.time.Duration;
import java.util.Optional;

/**
 * Text values under keys that expire: what a programmatic execution leaves between its round trips, so that any
 * exec replica can take the next one (Redis in a cluster, memory in the embedded app). {@link #take} is atomic: of
 * two replicas taking one key, one gets it.
 */
public interface ExpiringValues {
    void put(String key, String value, Duration ttl);

    /** Stores only when the key is absent; false when it was there. */
    boolean putIfAbsent(String key, String value, Duration ttl);

    Optional<String> get(String key);

    /** Gets and deletes in one step. */
    Optional<String> take(String key);

    void delete(String key);
}
