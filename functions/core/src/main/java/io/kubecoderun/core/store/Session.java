package io.kubecoderun.core.store;

import java.time.Instant;

/**
 * A session: the files and Python state of one conversation, owned by one principal. {@code entityId} groups a
 * LibreChat agent's sessions (may be null).
 */
public record Session(String id, String owner, String entityId, Instant createdAt, Instant expiresAt) {}
