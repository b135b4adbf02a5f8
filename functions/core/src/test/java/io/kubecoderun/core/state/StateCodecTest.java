package io.kubecoderun.core.state;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StateCodecTest {

    @Test
    void encodedStateIsVersionTwoAndDecodesBack() {
        byte[] raw = new byte[100_000];
        new Random(3).nextBytes(raw);
        byte[] stored = StateCodec.encode(raw);
        assertEquals(StateCodec.LZ4, stored[0]);
        assertArrayEquals(raw, StateCodec.decode(stored, 1 << 20));
    }

    @Test
    void versionOneIsRawCloudpickle() {
        byte[] stored = {1, 'p', 'k', 'l'};
        assertArrayEquals("pkl".getBytes(StandardCharsets.US_ASCII), StateCodec.decode(stored, 100));
    }

    @Test
    void tooShortUnknownVersionAndCorruptFramesAreInvalid() {
        assertThrows(StateCodec.InvalidStateException.class, () -> StateCodec.validate(new byte[] {2}));
        assertThrows(StateCodec.InvalidStateException.class, () -> StateCodec.validate(new byte[0]));
        assertThrows(StateCodec.InvalidStateException.class, () -> StateCodec.validate(new byte[] {3, 0}));
        assertThrows(StateCodec.InvalidStateException.class, () -> StateCodec.decode(new byte[] {2, 1, 2, 3, 4}, 100));
    }

    /** A tiny frame of zeros must not expand past the cap into memory. */
    @Test
    void aDecompressionBombIsStoppedAtTheCap() {
        byte[] bomb = StateCodec.encode(new byte[20 << 20]);
        assertTrue(bomb.length < 200_000, "the bomb is small: " + bomb.length);
        assertThrows(StateCodec.InvalidStateException.class, () -> StateCodec.decode(bomb, 1 << 20));
    }

    /** States made by the original Python service (lz4.frame) and by us are interchangeable. */
    @Test
    void framesInteroperateWithPythonsLz4Frame() throws Exception {
        Path dir = Files.createTempDirectory("kcr-lz4");
        byte[] raw = "cloudpickle bytes \u00e9 ".repeat(500).getBytes(StandardCharsets.UTF_8);
        Path fromJava = dir.resolve("java.lz4");
        byte[] encoded = StateCodec.encode(raw);
        Files.write(fromJava, java.util.Arrays.copyOfRange(encoded, 1, encoded.length));
        Path fromPython = dir.resolve("python.lz4");
        Files.write(dir.resolve("raw"), raw);
        Process p = new ProcessBuilder(
                        "/usr/bin/python3",
                        "-c",
                        String.join(
                                "\n",
                                "import lz4.frame, sys",
                                "raw = open(sys.argv[1], 'rb').read()",
                                "assert lz4.frame.decompress(open(sys.argv[2], 'rb').read()) == raw, 'java frame differs'",
                                "open(sys.argv[3], 'wb').write(lz4.frame.compress(raw))"),
                        dir.resolve("raw").toString(),
                        fromJava.toString(),
                        fromPython.toString())
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), output);
        byte[] pythonFrame = Files.readAllBytes(fromPython);
        byte[] stored = new byte[pythonFrame.length + 1];
        stored[0] = StateCodec.LZ4;
        System.arraycopy(pythonFrame, 0, stored, 1, pythonFrame.length);
        assertArrayEquals(raw, StateCodec.decode(stored, 1 << 20));
    }
}
