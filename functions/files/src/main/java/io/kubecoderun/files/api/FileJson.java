package io.kubecoderun.files.api;

import io.kubecoderun.core.store.FileRecord;
import java.util.LinkedHashMap;
import java.util.Map;

/** The four listing shapes of {@code GET /files/{session_id}?detail=...} (API.md). */
final class FileJson {
    private FileJson() {}

    static Map<String, Object> of(FileRecord f, String detail) {
        Map<String, Object> json = new LinkedHashMap<>();
        switch (detail) {
            case "summary" -> {
                json.put("name", f.sessionId() + "/" + f.id());
                json.put("lastModified", iso(f));
                json.put("size", f.size());
                json.put("etag", f.etag());
            }
            case "simple" -> {
                json.put("id", f.id());
                json.put("name", f.name());
                json.put("path", "/mnt/data/" + f.name());
            }
            case "normalized" -> {
                json.put("id", f.id());
                json.put("name", f.name());
                json.put("storage_session_id", f.sessionId());
                json.put("size", f.size());
                json.put("contentType", f.contentType());
                json.put("lastModified", iso(f));
                if (f.readOnly()) {
                    json.put("read_only", true);
                }
            }
            default -> full(f, json);
        }
        return json;
    }

    /** ISO-8601 UTC with Z, to the millisecond (what JavaScript's Date parses everywhere). */
    static String iso(FileRecord f) {
        return f.lastModified()
                .truncatedTo(java.time.temporal.ChronoUnit.MILLIS)
                .toString();
    }

    /**
     * The {@code full} entry (also the object route's answer). {@code name} is {@code "<session_id>/<file_id>"} as
     * in {@code summary}: LibreChat's 3.1.x clients continue a session from this listing and take the file id from
     * {@code name.split('/')[1]} up to the first {@code .} (ids never hold {@code .} or {@code /}) and the name to
     * mount it under from {@code metadata["original-filename"]}, which is therefore the whole relative name with
     * its sub-folders. Newer clients read {@code id}.
     */
    static Map<String, Object> full(FileRecord f, Map<String, Object> json) {
        json.put("id", f.id());
        json.put("name", f.sessionId() + "/" + f.id());
        json.put("session_id", f.sessionId());
        json.put("storage_session_id", f.sessionId());
        json.put("size", f.size());
        json.put("lastModified", iso(f));
        json.put("etag", f.etag());
        json.put("contentType", f.contentType());
        json.put("metadata", Map.of("content-type", f.contentType(), "original-filename", f.name()));
        return json;
    }
}
