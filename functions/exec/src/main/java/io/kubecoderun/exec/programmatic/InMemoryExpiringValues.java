package io.kubecoderun.exec.programmatic;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/** {@link ExpiringValues} in this process (the embedded app: one exec replica). Expired keys are dropped on use. */
public final class InMemoryExpiringValues implements ExpiringValues {
    private record Entry(String value, long expiresAtMillis) {}

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final LongSupplier clock;

    public InMemoryExpiringValues(LongSupplier clockMillis) {
        this.clock = clockMillis;
    }

    private Entry entry(String value, Duration ttl) {
        return new Entry(value, clock.getAsLong() + ttl.toMillis());
    }

    private boolean live(Entry entry) {
        return entry != null && entry.expiresAtMillis() > clock.getAsLong();
    }

    private void sweep() {
        long now = clock.getAsLong();
        entries.values().removeIf(e -> e.expiresAtMillis() <= now);
    }

    @Override
    public void put(String key, String value, Duration ttl) {
        if (entries.size() > 1024) {
            sweep();
        }
        entries.put(key, entry(value, ttl));
    }

    @Override
    public boolean putIfAbsent(String key, String value, Duration ttl) {
        Entry fresh = entry(value, ttl);
        boolean[] stored = {false};
        entries.compute(key, (k, old) -> {
            if (live(old)) {
                return old;
            }
            stored[0] = true;
            return fresh;
        });
        return stored[0];
    }

    @Override
    public Optional<String> get(String key) {
        Entry entry = entries.get(key);
        return live(entry) ? Optional.of(entry.value()) : Optional.empty();
    }

    @Override
    public Optional<String> take(String key) {
        Entry entry = entries.remove(key);
        return live(entry) ? Optional.of(entry.value()) : Optional.empty();
    }

    @Override
    public void delete(String key) {
        entries.remove(key);
    }
}
