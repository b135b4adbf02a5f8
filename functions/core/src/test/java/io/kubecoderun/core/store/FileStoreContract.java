package io.kubecoderun.core.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The object store's contract, run against local disk and a real S3 API (s3proxy). */
abstract class FileStoreContract {
    static final long CAP = 25L << 20;
    FileStore store;

    abstract FileStore newStore() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        store = newStore();
    }

    static InputStream bytes(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code size} pseudo-random bytes, generated as they are read: nothing the size of the file in memory. */
    static InputStream generated(long size, long seed) {
        Random random = new Random(seed);
        return new InputStream() {
            long left = size;

            @Override
            public int read() {
                return left-- > 0 ? random.nextInt(256) : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                byte[] chunk = new byte[n];
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                left -= n;
                return n;
            }
        };
    }

    static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (in) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    void aSmallObjectRoundTripsWithItsMetadata() throws Exception {
        StoredObject put = store.put("sessions/s1/f1", bytes("hello"), CAP, "text/plain");
        assertEquals("sessions/s1/f1", put.key());
        assertEquals(5, put.size());
        assertFalse(put.etag().isEmpty());
        assertEquals(put, store.stat("sessions/s1/f1").orElseThrow());
        try (InputStream in = store.open("sessions/s1/f1")) {
            assertArrayEquals("hello".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
    }

    @Test
    void aLargeObjectStreamsThroughInBothDirections() throws Exception {
        long size = 20L << 20; // above the S3 store's part size: a multipart upload
        StoredObject put = store.put("sessions/s1/big.bin", generated(size, 7), CAP, "application/octet-stream");
        assertEquals(size, put.size());
        assertEquals(sha256(generated(size, 7)), sha256(store.open("sessions/s1/big.bin")));
    }

    @Test
    void anUploadOverTheCapIsRefusedAndLeavesNothing() {
        assertThrows(
                StoreException.TooLarge.class, () -> store.put("sessions/s1/huge", generated(3000, 1), 2048, null));
        assertTrue(store.stat("sessions/s1/huge").isEmpty());
        assertThrows(
                StoreException.TooLarge.class,
                () -> store.put("sessions/s1/multi", generated(20L << 20, 2), 10L << 20, null),
                "refused partway through a multipart upload");
        assertTrue(store.stat("sessions/s1/multi").isEmpty());
    }

    @Test
    void aFailedUploadDoesNotReplaceTheObjectAlreadyThere() throws Exception {
        store.put("sessions/s1/keep", bytes("original"), CAP, null);
        InputStream failing = new InputStream() {
            int sent;

            @Override
            public int read() throws IOException {
                if (sent++ > 100) {
                    throw new IOException("client went away");
                }
                return 'x';
            }
        };
        assertThrows(
                DependencyUnavailableException.class,
                () -> store.put("sessions/s1/keep", failing, CAP, null),
                "a client that went away is the stream failing, not a refusal of what was asked");
        try (InputStream in = store.open("sessions/s1/keep")) {
            assertEquals("original", new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aPutReplacesAndADeleteRemovesOnce() throws Exception {
        store.put("sessions/s1/f", bytes("one"), CAP, null);
        store.put("sessions/s1/f", bytes("two!"), CAP, null);
        assertEquals(4, store.stat("sessions/s1/f").orElseThrow().size());
        assertTrue(store.delete("sessions/s1/f"));
        assertFalse(store.delete("sessions/s1/f"));
        assertTrue(store.stat("sessions/s1/f").isEmpty());
        assertThrows(
                StoreException.NotFound.class, () -> store.open("sessions/s1/f").close());
    }

    @Test
    void listingIsByPrefix() {
        store.put("sessions/a/1", bytes("x"), CAP, null);
        store.put("sessions/a/2", bytes("yy"), CAP, null);
        store.put("sessions/b/1", bytes("z"), CAP, null);
        List<StoredObject> a = store.list("sessions/a/");
        assertEquals(
                List.of("sessions/a/1", "sessions/a/2"),
                a.stream().map(StoredObject::key).toList());
        assertEquals(2, a.get(1).size());
        assertEquals(List.of(), store.list("sessions/none/"));
    }

    @Test
    void anEmptyObjectIsAnObject() throws Exception {
        assertEquals(0, store.put("sessions/s1/empty", bytes(""), CAP, null).size());
        try (InputStream in = store.open("sessions/s1/empty")) {
            assertEquals(0, in.readAllBytes().length);
        }
    }

    @Test
    void pingAnswersWhenTheStoreIsUp() {
        store.ping();
    }
}
