package io.kubecoderun.core.store;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The bytes of session files and archived state, by key ({@code sessions/<sid>/<fileId>}, ...). Writes and reads
 * stream: no implementation holds a whole object in memory. A write is all or nothing: a failed or oversized
 * upload leaves no object behind and does not replace an existing one.
 */
public interface FileStore {

    /** Stores {@code data} under {@code key}, refusing more than {@code maxBytes} with {@link StoreException.TooLarge}. */
    StoredObject put(String key, InputStream data, long maxBytes, String contentType);

    Optional<StoredObject> stat(String key);

    /** The object's bytes, streamed; {@link StoreException.NotFound} when absent. The caller closes it. */
    InputStream open(String key);

    /** True when something was deleted. */
    boolean delete(String key);

    /** Objects whose keys start with {@code prefix}, by key. */
    List<StoredObject> list(String prefix);

    /** A cheap round trip for health checks; throws {@link DependencyUnavailableException} when down. */
    void ping();
}
