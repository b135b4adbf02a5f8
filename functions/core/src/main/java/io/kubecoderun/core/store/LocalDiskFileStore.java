package io.kubecoderun.core.store;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Files on local disk for the embedded default: one file per key under a root directory, written to a temporary
 * sibling and moved into place, with the SHA-256 (computed while streaming) kept beside it as the entity tag.
 * Keys are checked to stay under the root.
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
        try {
            Files.createDirectories(target.getParent());
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long written = 0;
            try (OutputStream out = new DigestOutputStream(Files.newOutputStream(temp), digest)) {
                byte[] buffer = new byte[BUFFER];
                int n;
                while ((n = data.read(buffer)) >= 0) {
                    written += n;
                    if (written > maxBytes) {
                        throw new StoreException.TooLarge(maxBytes);
                    }
                    out.write(buffer, 0, n);
                }
            }
            String etag = HexFormat.of().formatHex(digest.digest());
            Files.writeString(target.resolveSibling(target.getFileName() + TAG_SUFFIX), etag);
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            return stat(key).orElseThrow();
        } catch (IOException e) {
            throw new DependencyUnavailableException("cannot write " + key + ": " + e.getMessage(), e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        } finally {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // Best effort; a leftover temp file is never listed.
            }
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
}
