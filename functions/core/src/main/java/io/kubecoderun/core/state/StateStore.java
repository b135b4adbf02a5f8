package io.kubecoderun.core.state;

import java.time.Duration;
import java.util.Optional;

/**
 * Python state per session, as stored (version byte + payload). Hot in Redis (or memory) with a TTL; archived to
 * object storage before it expires and found there transparently by {@link #load}.
 */
public interface StateStore {

    void save(String sessionId, byte[] stored, Duration ttl);

    /** The state from the hot store, else the archive; empty when neither has it. */
    Optional<StoredState> load(String sessionId);

    /** Metadata without the bytes' transfer where the store allows. */
    Optional<StateInfo> info(String sessionId);

    /** Removes it from both places; true when something was removed. */
    boolean delete(String sessionId);

    /** Copies every hot state expiring within {@code horizon} to the archive; returns how many. */
    int archiveExpiring(Duration horizon);
}
