package io.kubecoderun.runner.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedOutputTest {

    @Test
    void keepsEverythingUnderTheCap() {
        BoundedOutput out = new BoundedOutput(1024);
        out.drain(new ByteArrayInputStream("hello\n".getBytes(StandardCharsets.UTF_8)));
        assertEquals("hello\n", out.text());
        assertFalse(out.truncated());
    }

    @Test
    void drainsAnEndlessStreamInBoundedMemoryAndSaysHowMuchWasLeftOut() {
        long total = 50L << 20;
        InputStream endless = new InputStream() {
            long left = total;

            @Override
            public int read() {
                return left-- > 0 ? 'x' : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left <= 0) {
                    return -1;
                }
                int n = (int) Math.min(len, left);
                java.util.Arrays.fill(b, off, off + n, (byte) 'x');
                left -= n;
                return n;
            }
        };
        BoundedOutput out = new BoundedOutput(100);
        out.drain(endless);
        assertTrue(out.truncated());
        assertEquals(
                "x".repeat(100) + "\n[output truncated: " + (total - 100) + " more bytes not shown]\n", out.text());
    }

    @Test
    void dropsAUtf8SequenceCutAtTheCapInsteadOfShowingGarbage() {
        BoundedOutput out = new BoundedOutput(4);
        byte[] bytes = "abé€".getBytes(StandardCharsets.UTF_8); // a b (2 bytes) (3 bytes)
        out.append(bytes, 0, bytes.length);
        assertTrue(out.text().startsWith("abé\n[output truncated"), out.text());
    }

    @Test
    void removesControlCharactersButKeepsNewlinesAndTabs() {
        BoundedOutput out = new BoundedOutput(1024);
        out.appendText("a\tb\r\nc\u0007\u001b[31md\u0000e\u007f\u0085f");
        assertEquals("a\tb\nc[31mdef", out.text());
    }

    @Test
    void invalidBytesBecomeReplacementCharacters() {
        BoundedOutput out = new BoundedOutput(1024);
        out.append(new byte[] {'a', (byte) 0xff, 'b'}, 0, 3);
        assertEquals("a\uFFFDb", out.text());
    }
}
