package io.kubecoderun.core.ids;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class IdsTest {
    /** LibreChat's own check, and Kubernetes' label-value rule for 21 characters. */
    static final Pattern LIBRECHAT = Pattern.compile("^[A-Za-z0-9_-]{21}$");

    static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");

    @Test
    void generatedIdsPassLibreChatAndKubernetesChecksAndDoNotRepeat() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 20_000; i++) {
            String id = Ids.next();
            assertTrue(LIBRECHAT.matcher(id).matches(), id);
            assertTrue(LABEL_VALUE.matcher(id).matches(), id);
            assertTrue(Ids.generated(id), id);
            assertTrue(seen.add(id), "repeated " + id);
        }
    }

    @Test
    void everyCharacterOfTheAlphabetIsUsedInTheMiddle() {
        Set<Character> used = new HashSet<>();
        for (int i = 0; i < 5_000; i++) {
            String id = Ids.next();
            for (int c = 1; c < Ids.LENGTH - 1; c++) {
                used.add(id.charAt(c));
            }
        }
        assertEquals(64, used.size());
    }

    @ParameterizedTest(name = "\"{0}\" is not acceptable")
    @ValueSource(
            strings = {
                "",
                "short",
                "abcdefghijklmnopqrstuv",
                "abcdefghij/lmnopqrstu",
                "abcdefghij.lmnopqrstu",
                "../../../../etc/passwd"
            })
    void malformedIdsAreRefused(String id) {
        assertFalse(Ids.acceptable(id));
    }

    @Test
    void clientIdsMayStartWithAnUnderscoreButOursNever() {
        assertTrue(Ids.acceptable("_abcdefghijklmnopqrst"));
        assertFalse(Ids.generated("_abcdefghijklmnopqrst"));
    }
}
