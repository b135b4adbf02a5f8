package io.kubecoderun.core.state;

import java.time.Instant;

/** What {@code GET /state/{id}/info} reports. {@code hash} is the SHA-256 of the stored bytes (the ETag). */
public record StateInfo(
        String sessionId, long sizeBytes, String hash, Instant createdAt, Instant expiresAt, String source) {}
