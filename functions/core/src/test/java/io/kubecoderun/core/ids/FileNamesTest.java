package io.kubecoderun.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FileNamesTest {

    @ParameterizedTest(name = "accepts \"{0}\"")
    @ValueSource(strings = {"data.csv", "a/b/c.txt", "résumé.pdf", "名前.txt", "with space.txt", ".hidden", "a..b"})
    void ordinaryNamesAndSubFoldersAreAccepted(String name) {
        assertTrue(FileNames.problem(name).isEmpty(), name);
    }

    @ParameterizedTest(name = "refuses \"{0}\"")
    @ValueSource(
            strings = {
                "",
                " ",
                "/etc/passwd",
                "../escape",
                "a/../../b",
                "a/./b",
                "a//b",
                "a/",
                "C:\\x",
                "back\\slash",
                "tab\there",
                "nul\u0000",
                "esc\u001b[31m",
                "c1\u0085"
            })
    void unsafeNamesAreRefused(String name) {
        assertTrue(FileNames.problem(name).isPresent(), name);
    }

    @Test
    void namesOverTheByteLimitAreRefusedCountingUtf8Bytes() {
        assertTrue(FileNames.problem("a".repeat(255)).isEmpty());
        assertTrue(FileNames.problem("a".repeat(256)).isPresent());
        assertTrue(FileNames.problem("é".repeat(128)).isPresent(), "128 two-byte characters are 256 bytes");
    }

    @Test
    void theBaseNameIsTheLastSegment() {
        assertEquals("c.txt", FileNames.baseName("a/b/c.txt"));
        assertEquals("c.txt", FileNames.baseName("c.txt"));
    }
}
