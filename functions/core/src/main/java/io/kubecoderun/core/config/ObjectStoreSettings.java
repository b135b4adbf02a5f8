package io.kubecoderun.core.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.util.Optional;

/**
 * Where file bytes and archived state go: S3/MinIO when {@code MINIO_ENDPOINT} is set (read through
 * {@link ObjectStoreNames} as the S3 extension's endpoint, so it is parsed once), else {@code KCR_DATA_DIR} on disk.
 */
@ConfigMapping(prefix = "")
public interface ObjectStoreSettings {

    /** The S3 endpoint; empty: files on the local disk. */
    @WithName(ObjectStoreNames.ENDPOINT)
    Optional<URI> endpoint();

    @WithName("MINIO_BUCKET")
    @WithDefault("kubecoderun")
    String bucket();
}
