package io.kubecoderun.core.state;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import net.jpountz.lz4.LZ4FrameInputStream;
import net.jpountz.lz4.LZ4FrameOutputStream;

/**
 * The Python state wire format of API.md: byte 0 is the version — 1 for raw cloudpickle, 2 for an LZ4 frame of
 * cloudpickle (what we store) — and the payload follows. The runner speaks raw cloudpickle; this codec sits
 * between. Decompression is capped, so a small hostile frame cannot expand into gigabytes.
 */
public final class StateCodec {
    public static final byte RAW = 1;
    public static final byte LZ4 = 2;

    private StateCodec() {}

    /** Thrown for a payload that is not a state this service can read: 400 for uploads. */
    public static final class InvalidStateException extends IllegalArgumentException {
        public InvalidStateException(String message) {
            super(message);
        }
    }

    /** Raw cloudpickle → version 2 (LZ4 frame). */
    public static byte[] encode(byte[] cloudpickle) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(cloudpickle.length / 2 + 16);
        out.write(LZ4);
        try (LZ4FrameOutputStream lz4 = new LZ4FrameOutputStream(out)) {
            lz4.write(cloudpickle);
        } catch (IOException e) {
            throw new IllegalStateException("in-memory compression cannot fail", e);
        }
        return out.toByteArray();
    }

    /** A stored or uploaded state (version 1 or 2) → raw cloudpickle, refusing more than {@code maxRaw} bytes. */
    public static byte[] decode(byte[] stored, long maxRaw) {
        validate(stored);
        if (stored[0] == RAW) {
            if (stored.length - 1 > maxRaw) {
                throw new InvalidStateException("state exceeds " + maxRaw + " bytes");
            }
            return java.util.Arrays.copyOfRange(stored, 1, stored.length);
        }
        try (InputStream in = new LZ4FrameInputStream(new ByteArrayInputStream(stored, 1, stored.length - 1))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream(stored.length * 3);
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                if (out.size() + (long) n > maxRaw) {
                    throw new InvalidStateException("state expands beyond " + maxRaw + " bytes");
                }
                out.write(buffer, 0, n);
            }
            return out.toByteArray();
        } catch (IOException | RuntimeException e) {
            if (e instanceof InvalidStateException invalid) {
                throw invalid;
            }
            throw new InvalidStateException("state is not a valid LZ4 frame: " + e.getMessage());
        }
    }

    /** The checks of {@code POST /state}: at least two bytes and a known version. */
    public static void validate(byte[] stored) {
        if (stored == null || stored.length < 2) {
            throw new InvalidStateException("state must be at least 2 bytes: a version byte and a payload");
        }
        if (stored[0] != RAW && stored[0] != LZ4) {
            throw new InvalidStateException("unknown state version " + (stored[0] & 0xff) + "; expected 1 or 2");
        }
    }
}
