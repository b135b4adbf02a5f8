package io.kubecoderun.runner.exec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the first {@code cap} bytes of a stream and counts the rest, draining it to the end so the writer never
 * blocks on a full pipe. Memory stays at {@code cap} whatever the program prints.
 */
final class BoundedOutput {
    private static final int CHUNK = 16 * 1024;

    private final byte[] kept;
    private int length;
    private long dropped;

    BoundedOutput(int cap) {
        this.kept = new byte[cap];
    }

    /** Reads until end of stream or an I/O error (the pipe closed under us); never throws. */
    void drain(InputStream in) {
        byte[] buffer = new byte[CHUNK];
        try (in) {
            int n;
            while ((n = in.read(buffer)) >= 0) {
                append(buffer, 0, n);
            }
        } catch (IOException closed) {
            // The process tree was killed and the stream closed: what was read so far stands.
        }
    }

    synchronized void append(byte[] data, int offset, int count) {
        int room = kept.length - length;
        int take = Math.min(room, count);
        System.arraycopy(data, offset, kept, length, take);
        length += take;
        dropped += count - take;
    }

    synchronized void appendText(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        append(bytes, 0, bytes.length);
    }

    synchronized boolean truncated() {
        return dropped > 0;
    }

    /** Where the kept bytes end if a UTF-8 sequence cut at the cap is left out. */
    private int completeSequenceEnd() {
        for (int back = 1; back <= 3 && back <= length; back++) {
            int b = kept[length - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // continuation byte: keep looking for the lead
            }
            int needed = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return needed > back ? length - back : length;
        }
        return length;
    }

    /**
     * Decodes what was kept as UTF-8 (a sequence cut at the cap is dropped, invalid bytes become U+FFFD), removes
     * control characters other than newline and tab, and appends a marker saying how much was left out.
     */
    synchronized String text() {
        int end = truncated() ? completeSequenceEnd() : length;
        CharBuffer chars;
        try {
            chars = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPLACE)
                    .onUnmappableCharacter(CodingErrorAction.REPLACE)
                    .decode(ByteBuffer.wrap(kept, 0, end));
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new IllegalStateException("REPLACE decoding cannot fail", e);
        }
        StringBuilder sb = new StringBuilder(chars.remaining() + 64);
        for (int i = 0; i < chars.length(); i++) {
            char c = chars.charAt(i);
            if (c == '\n' || c == '\t' || (c >= 0x20 && c != 0x7f && !(c >= 0x80 && c < 0xa0))) {
                sb.append(c);
            }
        }
        if (truncated()) {
            if (sb.length() > 0 && sb.charAt(sb.length() - 1) != '\n') {
                sb.append('\n');
            }
            sb.append("[output truncated: ").append(dropped).append(" more bytes not shown]\n");
        }
        return sb.toString();
    }
}
