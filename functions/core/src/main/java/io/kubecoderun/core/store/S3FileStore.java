package io.kubecoderun.core.store;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Object storage over the S3 API (S3, MinIO; s3proxy in the tests). An upload is read in parts of
 * {@link #PART_BYTES}: a small one is a single PUT, a larger one a multipart upload, aborted if it fails or
 * passes its cap — so memory per upload is one part, never the whole file, and nothing partial is left behind.
 */
public final class S3FileStore implements FileStore {
    /** S3's minimum part size is 5 MiB; 8 MiB keeps part counts low for the 25 MiB default file cap. */
    static final int PART_BYTES = 8 * 1024 * 1024;

    private final S3Client s3;
    private final String bucket;

    public S3FileStore(S3Client s3, String bucket) {
        this.s3 = s3;
        this.bucket = bucket;
    }

    /** Creates the bucket if it does not exist (dev and tests; production buckets are provisioned). */
    public void ensureBucket() {
        call(() -> {
            try {
                s3.headBucket(b -> b.bucket(bucket));
            } catch (NoSuchBucketException e) {
                createBucket();
            } catch (S3Exception e) {
                if (e.statusCode() != 404) {
                    throw e;
                }
                createBucket();
            }
            return null;
        });
    }

    /** Another app of this deployment may create it at the same moment (they start together): that is success. */
    private void createBucket() {
        try {
            s3.createBucket(b -> b.bucket(bucket));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException raced) {
            // created meanwhile, by us
        }
    }

    @Override
    public StoredObject put(String key, InputStream data, long maxBytes, String contentType) {
        byte[] part = new byte[(int) Math.min(PART_BYTES, Math.max(1, maxBytes + 1))];
        int first = readFully(data, part);
        if (first > maxBytes) {
            throw new StoreException.TooLarge(maxBytes);
        }
        if (first < part.length) {
            int size = first;
            call(() -> s3.putObject(
                    b -> b.bucket(bucket).key(key).contentType(contentType),
                    RequestBody.fromBytes(java.util.Arrays.copyOf(part, size))));
            return stat(key)
                    .orElseThrow(() -> new DependencyUnavailableException("stored object vanished: " + key, null));
        }
        return multipart(key, data, maxBytes, contentType, part, first);
    }

    private StoredObject multipart(
            String key, InputStream data, long maxBytes, String contentType, byte[] part, int first) {
        String uploadId = call(
                () -> s3.createMultipartUpload(b -> b.bucket(bucket).key(key).contentType(contentType))
                        .uploadId());
        try {
            List<CompletedPart> parts = new ArrayList<>();
            long total = 0;
            int length = first;
            int number = 1;
            while (length > 0) {
                total += length;
                if (total > maxBytes) {
                    throw new StoreException.TooLarge(maxBytes);
                }
                int partNumber = number++;
                int size = length;
                String etag = call(() -> s3.uploadPart(
                                b -> b.bucket(bucket)
                                        .key(key)
                                        .uploadId(uploadId)
                                        .partNumber(partNumber),
                                RequestBody.fromBytes(java.util.Arrays.copyOf(part, size)))
                        .eTag());
                parts.add(CompletedPart.builder()
                        .partNumber(partNumber)
                        .eTag(etag)
                        .build());
                length = readFully(data, part);
            }
            call(() -> s3.completeMultipartUpload(
                    b -> b.bucket(bucket).key(key).uploadId(uploadId).multipartUpload(m -> m.parts(parts))));
            return stat(key)
                    .orElseThrow(() -> new DependencyUnavailableException("stored object vanished: " + key, null));
        } catch (RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId));
            } catch (RuntimeException ignored) {
                // The bucket's lifecycle rule cleans up what an abort could not.
            }
            throw e;
        }
    }

    private static int readFully(InputStream in, byte[] buffer) {
        int filled = 0;
        try {
            while (filled < buffer.length) {
                int n = in.read(buffer, filled, buffer.length - filled);
                if (n < 0) {
                    break;
                }
                filled += n;
            }
        } catch (IOException e) {
            throw new DependencyUnavailableException("upload stream failed: " + e.getMessage(), e);
        }
        return filled;
    }

    @Override
    public Optional<StoredObject> stat(String key) {
        try {
            HeadObjectResponse head =
                    call(() -> s3.headObject(b -> b.bucket(bucket).key(key)));
            return Optional.of(new StoredObject(key, head.contentLength(), unquote(head.eTag()), head.lastModified()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    @Override
    public InputStream open(String key) {
        try {
            return call(() -> s3.getObject(b -> b.bucket(bucket).key(key)));
        } catch (NoSuchKeyException e) {
            throw new StoreException.NotFound(key);
        }
    }

    @Override
    public boolean delete(String key) {
        if (stat(key).isEmpty()) {
            return false;
        }
        call(() -> s3.deleteObject(b -> b.bucket(bucket).key(key)));
        return true;
    }

    @Override
    public List<StoredObject> list(String prefix) {
        List<StoredObject> out = new ArrayList<>();
        call(() -> {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))
                    .contents()) {
                out.add(new StoredObject(o.key(), o.size(), unquote(o.eTag()), o.lastModified()));
            }
            return null;
        });
        return out;
    }

    @Override
    public void ping() {
        call(() -> s3.headBucket(b -> b.bucket(bucket)));
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }

    /** Runs an S3 call, turning transport failures and 5xx answers into {@link DependencyUnavailableException}. */
    private static <T> T call(Supplier<T> operation) {
        try {
            return operation.get();
        } catch (SdkClientException e) {
            throw new DependencyUnavailableException("object storage unreachable: " + e.getMessage(), e);
        } catch (S3Exception e) {
            if (e.statusCode() >= 500) {
                throw new DependencyUnavailableException("object storage failed: " + e.getMessage(), e);
            }
            throw e;
        }
    }
}
