package io.kubecoderun.core.ids;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Client-supplied file names: sub-folders are kept ({@code a/b.txt}), but absolute paths, {@code .} and
 * {@code ..} segments, empty segments, control characters, backslashes and names over 255 bytes are refused.
 * Used for uploads and for the names inputs get in {@code /mnt/data}.
 */
public final class FileNames {
    /** Linux's limit for a name, applied to the whole relative path as the API promises. */
    public static final int MAX_BYTES = 255;

    private FileNames() {}

    /** Empty when the name is acceptable, else the reason, for a 400 answer. */
    public static Optional<String> problem(String name) {
        if (name == null || name.isBlank()) {
            return Optional.of("file name is empty");
        }
        if (name.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
            return Optional.of("file name is longer than " + MAX_BYTES + " bytes");
        }
        if (name.startsWith("/") || name.matches("^[A-Za-z]:.*")) {
            return Optional.of("absolute paths are not allowed");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                return Optional.of("file name contains a control character");
            }
            if (c == '\\') {
                return Optional.of("file name contains a backslash");
            }
        }
        for (String segment : name.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return Optional.of("file name has an empty, '.' or '..' segment");
            }
        }
        return Optional.empty();
    }

    /** The last segment, for Content-Disposition and listings. */
    public static String baseName(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? name : name.substring(slash + 1);
    }
}
