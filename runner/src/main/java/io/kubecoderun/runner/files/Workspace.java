package io.kubecoderun.runner.files;

import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.wire.FileEntry;
import io.kubecoderun.runner.wire.RunnerError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

/**
 * The working directory and every file operation on it, confined: a relative path of safe segments, never
 * through a symbolic link (user code can plant one pointing anywhere on the runner's side), never outside the
 * root. Listings are recursive, skip links, and carry size, mtime and sha256.
 */
public final class Workspace {
    private static final LinkOption[] NOFOLLOW = {LinkOption.NOFOLLOW_LINKS};
    /** Linux's limit for one name. */
    private static final int MAX_SEGMENT_BYTES = 255;
    /** Linux's PATH_MAX. */
    private static final int MAX_PATH_BYTES = 4096;

    private static final int COPY_BUFFER = 64 * 1024;

    private final Path root;
    private final long maxFileBytes;
    private final int maxListedFiles;

    public Workspace(Path root, long maxFileBytes, int maxListedFiles) {
        this.root = root.toAbsolutePath().normalize();
        this.maxFileBytes = maxFileBytes;
        this.maxListedFiles = maxListedFiles;
    }

    public Path root() {
        return root;
    }

    /**
     * Validates a client-supplied relative path and resolves it under the root. Rejects absolute paths, empty,
     * "." and ".." segments, control characters and over-long names; does not touch the disk.
     */
    public Path confine(String relative) {
        if (relative == null || relative.isEmpty()) {
            throw bad("empty path");
        }
        if (relative.startsWith("/")) {
            throw bad("absolute paths are not allowed");
        }
        if (relative.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_PATH_BYTES) {
            throw bad("path longer than " + MAX_PATH_BYTES + " bytes");
        }
        for (int i = 0; i < relative.length(); i++) {
            char c = relative.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                throw bad("control character in path");
            }
        }
        for (String segment : relative.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw bad("path segments must not be empty, '.' or '..'");
            }
            if (segment.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw bad("a path segment is longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
        }
        return inside(root.resolve(relative).normalize());
    }

    /**
     * The check behind the segment rules: {@code resolved} must lie strictly below the root, compared name by name
     * ({@link Path#startsWith(Path)}), so {@code /mnt/data2} is not inside {@code /mnt/data}. No string that passes
     * the rules above resolves outside; this holds if one ever does, and is tested on its own.
     */
    Path inside(Path resolved) {
        if (!resolved.startsWith(root) || resolved.equals(root)) {
            throw bad("path leaves the working directory");
        }
        return resolved;
    }

    /** Checks that no existing directory between the root and {@code target} is a symbolic link. */
    private void checkParents(Path target) {
        Path current = root;
        for (Path part : root.relativize(target.getParent() == null ? root : target.getParent())) {
            if (part.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw bad("path goes through a symbolic link");
            }
            if (Files.exists(current, NOFOLLOW) && !Files.isDirectory(current, NOFOLLOW)) {
                throw bad("a parent of the path is not a directory");
            }
        }
    }

    /**
     * Streams {@code body} into the file, creating parent directories; replaces an existing regular file.
     * Writes to a temporary sibling and renames, so a failed upload leaves no partial file behind.
     */
    public FileEntry write(String relative, InputStream body) throws IOException {
        Path target = confine(relative);
        checkParents(target);
        if (Files.isSymbolicLink(target) || Files.isDirectory(target, NOFOLLOW)) {
            throw bad("target exists and is not a regular file");
        }
        Path parent = target.getParent();
        createDirectories(parent);
        Path temp = parent.resolve(".kcr-upload-" + System.nanoTime());
        try {
            long written = 0;
            try (OutputStream out = Channels.newOutputStream(Files.newByteChannel(
                    temp,
                    EnumSet.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    new java.nio.file.attribute.FileAttribute<?>[0]))) {
                byte[] buffer = new byte[COPY_BUFFER];
                int n;
                while ((n = body.read(buffer)) >= 0) {
                    written += n;
                    if (written > maxFileBytes) {
                        throw new RunnerException.TooLarge("file exceeds the cap of " + maxFileBytes + " bytes");
                    }
                    out.write(buffer, 0, n);
                }
            }
            checkParents(target); // the tree could have changed while the body streamed
            Files.move(
                    temp,
                    target,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                    java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        return entry(target, Files.readAttributes(target, BasicFileAttributes.class, NOFOLLOW));
    }

    private void createDirectories(Path dir) throws IOException {
        Path current = root;
        Files.createDirectories(root);
        for (Path part : root.relativize(dir)) {
            if (part.toString().isEmpty()) {
                continue;
            }
            current = current.resolve(part);
            if (Files.isSymbolicLink(current)) {
                throw bad("path goes through a symbolic link");
            }
            if (!Files.exists(current, NOFOLLOW)) {
                try {
                    Files.createDirectory(current);
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // Created meanwhile: re-checked below.
                }
            }
            if (!Files.isDirectory(current, NOFOLLOW)) {
                throw bad("a parent of the path is not a directory");
            }
        }
    }

    /** Opens a regular file for streaming; 404 when absent, 400 when it is a link or a directory. */
    public InputStream open(String relative) throws IOException {
        Path target = confine(relative);
        checkParents(target);
        BasicFileAttributes attributes = attributes(target);
        if (!attributes.isRegularFile()) {
            throw bad("not a regular file");
        }
        return Channels.newInputStream(
                Files.newByteChannel(target, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)));
    }

    public long size(String relative) throws IOException {
        return attributes(confine(relative)).size();
    }

    private static BasicFileAttributes attributes(Path target) throws IOException {
        try {
            return Files.readAttributes(target, BasicFileAttributes.class, NOFOLLOW);
        } catch (NoSuchFileException e) {
            throw new RunnerException.NotFound("no such file");
        }
    }

    /** Deletes a file (or a link itself, never its target); 404 when absent. */
    public void delete(String relative) throws IOException {
        Path target = confine(relative);
        checkParents(target);
        BasicFileAttributes attributes = attributes(target);
        if (attributes.isDirectory()) {
            throw bad("is a directory");
        }
        Files.delete(target);
    }

    /** Every regular file under the root, links skipped (not followed), sorted by path. */
    public Listing list() throws IOException {
        List<FileEntry> entries = new ArrayList<>();
        boolean[] truncated = {false};
        if (!Files.isDirectory(root)) {
            return new Listing(entries, false);
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (!attrs.isRegularFile()) {
                    return FileVisitResult.CONTINUE;
                }
                if (entries.size() >= maxListedFiles) {
                    truncated[0] = true;
                    return FileVisitResult.TERMINATE;
                }
                try {
                    entries.add(entry(file, attrs));
                } catch (NoSuchFileException gone) {
                    // Deleted while listing.
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) {
                return FileVisitResult.CONTINUE;
            }
        });
        entries.sort(java.util.Comparator.comparing(FileEntry::path));
        return new Listing(entries, truncated[0]);
    }

    /** A listing; {@code truncated} when more files exist than the runner lists. */
    public record Listing(List<FileEntry> files, boolean truncated) {}

    private FileEntry entry(Path file, BasicFileAttributes attrs) throws IOException {
        String path = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
        return new FileEntry(path, attrs.size(), attrs.lastModifiedTime().toMillis(), sha256(file));
    }

    private static String sha256(Path file) throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JDK", e);
        }
        try (InputStream in = Channels.newInputStream(
                Files.newByteChannel(file, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static RunnerException bad(String message) {
        return new RunnerException.BadRequest(RunnerError.INVALID_PATH, message);
    }
}
