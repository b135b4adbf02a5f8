package io.kubecoderun.core.store;

import java.time.Instant;

/** One stored file's bytes as object storage sees them: key, size, an entity tag, last modification. */
public record StoredObject(String key, long size, String etag, Instant lastModified) {}
