package io.kubecoderun.core.store;

import java.time.Instant;

/**
 * A file of a session: its name as the client uses it (sub-folders kept), size, entity tag, content type and
 * time, LibreChat's optional {@code kind}/{@code version}/{@code readOnly}, and — for a changed input returned by
 * /exec — the file it was modified from.
 */
public record FileRecord(
        String id,
        String sessionId,
        String name,
        long size,
        String etag,
        String contentType,
        Instant lastModified,
        String kind,
        String version,
        boolean readOnly,
        String modifiedFromId,
        String modifiedFromSessionId) {

    /** The object-store key of this file's bytes. */
    public String objectKey() {
        return objectKey(sessionId, id);
    }

    public static String objectKey(String sessionId, String fileId) {
        return "sessions/" + sessionId + "/" + fileId;
    }
}
