package io.kubecoderun.runner.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonTest {

    @Test
    void parsesEveryValueKind() {
        Object value =
                Json.parse(" {\"s\":\"a\\\"b\\\\c\\n\\u00e9\\ud83d\\ude00\",\"i\":-12,\"big\":12345678901234567890,"
                        + "\"f\":1.5e2,\"t\":true,\"n\":null,\"a\":[1,[],{}]} ");
        Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("s", "a\"b\\c\né😀");
        expected.put("i", -12L);
        expected.put("big", 1.2345678901234567e19);
        expected.put("f", 150.0);
        expected.put("t", true);
        expected.put("n", null);
        expected.put("a", List.of(1L, List.of(), Map.of()));
        assertEquals(expected, value);
    }

    @ParameterizedTest(name = "rejects {0}")
    @ValueSource(
            strings = {
                "",
                "{",
                "{\"a\":}",
                "[1,]",
                "{\"a\" 1}",
                "tru",
                "\"unterminated",
                "01x",
                "{} {}",
                "\"bad \\x escape\"",
                "\"tab\tinside\"",
                "-",
                "1.",
                "[1 2]"
            })
    void rejectsMalformedDocuments(String text) {
        assertThrows(Json.JsonException.class, () -> Json.parse(text));
    }

    @Test
    void refusesNestingDeeperThanTheLimitSoAHostileBodyCannotOverflowTheStack() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.JsonException.class, () -> Json.parse(deep));
        String fine = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        Json.parse(fine);
    }

    @Test
    void writesEscapesAndRoundTrips() {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("text", "quote\" back\\ nl\n tab\t ctl\u0001 sep\u2028 é");
        value.put("n", 3);
        value.put("list", List.of(true, false));
        value.put("none", null);
        String json = Json.write(value);
        assertEquals(
                "{\"text\":\"quote\\\" back\\\\ nl\\n tab\\t ctl\\u0001 sep\\u2028 é\",\"n\":3,"
                        + "\"list\":[true,false],\"none\":null}",
                json);
        Map<String, Object> back = Json.parseObject(json);
        assertEquals(value.get("text"), back.get("text"));
    }

    @Test
    void parseObjectInsistsOnAnObject() {
        assertThrows(Json.JsonException.class, () -> Json.parseObject("[1]"));
    }
}
