package io.kubecoderun.runner.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One regular file under the working directory: {@code path} relative with '/' separators, {@code size} in bytes,
 * {@code mtime_ms} since the epoch, {@code sha256} in lower-case hex. Size plus hash let a caller tell created and
 * changed files from untouched inputs without trusting timestamps.
 */
public record FileEntry(String path, long size, long mtimeMs, String sha256) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        json.put("size", size);
        json.put("mtime_ms", mtimeMs);
        json.put("sha256", sha256);
        return json;
    }

    public static FileEntry fromJson(Map<String, Object> json) {
        return new FileEntry(
                Fields.requiredString(json, "path"),
                Fields.optionalLong(json, "size", -1),
                Fields.optionalLong(json, "mtime_ms", 0),
                Fields.requiredString(json, "sha256"));
    }

    /** A listing as JSON: {@code GET /files}'s {@code files}, and {@code /execute}'s with {@code list_files}. */
    public static List<Object> toJson(List<FileEntry> entries) {
        List<Object> json = new ArrayList<>(entries.size());
        for (FileEntry entry : entries) {
            json.add(entry.toJson());
        }
        return json;
    }

    /** The entries of a JSON listing (see {@link #toJson(List)}). */
    @SuppressWarnings("unchecked")
    public static List<FileEntry> listFromJson(List<?> json) {
        List<FileEntry> entries = new ArrayList<>(json.size());
        for (Object item : json) {
            entries.add(fromJson((Map<String, Object>) item));
        }
        return entries;
    }
}
