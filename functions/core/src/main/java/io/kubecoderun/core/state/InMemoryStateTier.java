package io.kubecoderun.core.state;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Hot states in memory, expiring on the injected clock. */
public final class InMemoryStateTier implements HotStateTier {
    private final Clock clock;
    private final Map<String, Entry> states = new HashMap<>();

    public InMemoryStateTier(Clock clock) {
        this.clock = clock;
    }

    @Override
    public synchronized void put(String sessionId, byte[] stored, Instant createdAt, Duration ttl) {
        states.put(
                sessionId, new Entry(stored.clone(), createdAt, clock.instant().plus(ttl)));
    }

    @Override
    public synchronized Optional<Entry> get(String sessionId) {
        Entry entry = states.get(sessionId);
        if (entry != null && !entry.expiresAt().isAfter(clock.instant())) {
            states.remove(sessionId);
            return Optional.empty();
        }
        return Optional.ofNullable(entry);
    }

    @Override
    public synchronized boolean delete(String sessionId) {
        return states.remove(sessionId) != null;
    }

    @Override
    public synchronized List<String> expiringBefore(Instant until) {
        List<String> out = new ArrayList<>();
        states.forEach((id, entry) -> {
            if (entry.expiresAt().isBefore(until) && entry.expiresAt().isAfter(clock.instant())) {
                out.add(id);
            }
        });
        return out;
    }
}
