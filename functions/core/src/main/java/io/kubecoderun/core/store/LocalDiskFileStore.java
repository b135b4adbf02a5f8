package io.kubecoderun.core.store;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Files on local disk for the embedded default: one file per key under a root directory, written to a temporary
 * sibling, forced to disk and moved into place (so a crash leaves the old object or the whole new one, never part
 * of one), with the SHA-256 (computed while streaming) kept beside it as the entity tag. Keys are checked to stay
 * under the root.
 */
public final class LocalDiskFileStore implements FileStore {
    private static final int BUFFER = 64 * 1024;
    private static final String TAG_SUFFIX = ".kcr-etag";
    private static final String TEMP_PREFIX = ".kcr-tmp-";

    private final Path root;

    public LocalDiskFileStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
        try {
            Files.createDirectories(this.root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + this.root, e);
        }
    }

    private Path path(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\") || key.endsWith(TAG_SUFFIX)) {
            throw new IllegalArgumentException("invalid key " + key);
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("key leaves the store: " + key);
        }
        return path;
    }

    @Override
    public StoredObject put(String key, InputStream data, long maxBytes, String contentType) {
        Path target = path(key);
        Path temp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
        Path tagTemp = target.resolveSibling(TEMP_PREFIX + UUID.randomUUID());
        try {
            Files.createDirectories(target.getParent());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long written = 0;
            try (FileChannel channel = create(temp);
                    OutputStream out = new DigestOutputStream(Channels.newOutputStream(channel), digest)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = data.read(buffer)) >= 0) {
                    written += n;
                    if (written > maxBytes) {
                        throw new StoreException.TooLarge(maxBytes);
                    }
                    out.write(buffer, 0, n);
                }
                out.flush();
                // On disk before it has a name, so that no record can ever point at bytes a crash loses.
                channel.force(true);
            }
            String etag = HexFormat.of().formatHex(digest.digest());
            Files.writeString(tagTemp, etag);
            move(tagTemp, target.resolveSibling(target.getFileName() + TAG_SUFFIX));
            move(temp, target);
            return stat(key).orElseThrow();
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot write " + key + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(temp);
                Files.deleteIfExists(tagTemp);
            } catch (IOException ignored) {
                // Best effort; a leftover temp file is never listed, and the sweep removes it.
            }
        }
    }

    /** A new file; its directory made again if the sweep removed it, empty, between the two steps. */
    private static FileChannel create(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException e) {
            Files.createDirectories(file.getParent());
            return FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    @Override
    public Optional<StoredObject> stat(String key) {
        Path path = path(key);
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            Path tag = path.resolveSibling(path.getFileName() + TAG_SUFFIX);
            String etag = Files.exists(tag) ? Files.readString(tag).strip() : "";
            return Optional.of(new StoredObject(
                    key, attrs.size(), etag, attrs.lastModifiedTime().toInstant()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public InputStream open(String key) {
        try {
            return Files.newInputStream(path(key));
        } catch (NoSuchFileException e) {
            throw new StoreException.NotFound(key);
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot read " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean delete(String key) {
        Path path = path(key);
        try {
            Files.deleteIfExists(path.resolveSibling(path.getFileName() + TAG_SUFFIX));
            return Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot delete " + key + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<StoredObject> list(String prefix) {
        List<StoredObject> out = new ArrayList<>();
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    String name = file.getFileName().toString();
                    String key = root.relativize(file).toString().replace(java.io.File.separatorChar, '/');
                    if (attrs.isRegularFile()
                            && !name.endsWith(TAG_SUFFIX)
                            && !name.startsWith(TEMP_PREFIX)
                            && key.startsWith(prefix)) {
                        stat(key).ifPresent(out::add);
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot list " + prefix + ": " + e.getMessage(), e);
        }
        out.sort(java.util.Comparator.comparing(StoredObject::key));
        return out;
    }

    @Override
    public void ping() {
        if (!Files.isDirectory(root) || !Files.isWritable(root)) {
            throw new DependencyUnavailableException(root + " is not a writable directory", null);
        }
    }

    /**
     * Removes what a process killed mid-write leaves behind, if last modified before {@code cutoff}: temporary
     * files and entity tags whose object is gone; and empty directories. Returns how many entries were removed.
     */
    public int removeLeftovers(Instant cutoff) {
        int[] removed = {0};
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    String name = file.getFileName().toString();
                    if (!attrs.lastModifiedTime().toInstant().isBefore(cutoff)) {
                        return FileVisitResult.CONTINUE;
                    }
                    boolean orphanTag = name.endsWith(TAG_SUFFIX)
                            && !Files.exists(
                                    file.resolveSibling(name.substring(0, name.length() - TAG_SUFFIX.length())));
                    if ((name.startsWith(TEMP_PREFIX) || orphanTag) && Files.deleteIfExists(file)) {
                        removed[0]++;
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    // Empty directories at once, whatever their age: a write that races the removal makes its
                    // directory again (see create).
                    if (!dir.equals(root)) {
                        try (var entries = Files.list(dir)) {
                            if (entries.findAny().isEmpty() && Files.deleteIfExists(dir)) {
                                removed[0]++;
                            }
                        } catch (java.nio.file.DirectoryNotEmptyException raced) {
                            // Written to meanwhile: kept.
                        }
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot sweep " + root + ": " + e.getMessage(), e);
        }
        return removed[0];
    }
}
