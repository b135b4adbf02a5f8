package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kubecoderun.core.testing.S3Proxy;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3Client;

/** The contract against a real S3 API (s3proxy), each test in a bucket of its own. */
class S3FileStoreIT extends FileStoreContract {
    static S3Proxy proxy;
    static S3Client client;
    static final AtomicInteger BUCKETS = new AtomicInteger();

    @BeforeAll
    static void startS3() throws Exception {
        proxy = S3Proxy.start();
        client = proxy.client();
    }

    @AfterAll
    static void stopS3() throws Exception {
        client.close();
        proxy.close();
    }

    @Override
    FileStore newStore() {
        S3FileStore store = new S3FileStore(client, "kcr-test-" + BUCKETS.incrementAndGet());
        store.ensureBucket();
        return store;
    }

    @Test
    void aMissingBucketIsNotAHealthyStore() {
        assertThrows(RuntimeException.class, () -> new S3FileStore(client, "kcr-absent-bucket").ping());
    }
}
