package io.kubecoderun.core.state;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Where states live while sessions are active: Redis in production, memory in the embedded default. */
public interface HotStateTier {

    /** A hot state with its times. */
    record Entry(byte[] bytes, Instant createdAt, Instant expiresAt) {}

    void put(String sessionId, byte[] stored, Instant createdAt, Duration ttl);

    Optional<Entry> get(String sessionId);

    boolean delete(String sessionId);

    /** Sessions whose hot state expires before {@code until}. */
    List<String> expiringBefore(Instant until);
}
