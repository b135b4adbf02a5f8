package io.kubecoderun.runner.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.kubecoderun.runner.RunnerException;
import org.junit.jupiter.api.Test;

class ExchangesTest {

    @Test
    void decodesPercentEscapesAsUtf8WithoutThePlusRuleOfForms() {
        assertEquals("a b/ü+c", Exchanges.decodePath("a%20b%2F%C3%BC+c"));
        assertEquals("plain/path.txt", Exchanges.decodePath("plain/path.txt"));
    }

    @Test
    void malformedEscapesAreABadRequest() {
        for (String raw : new String[] {"bad%zz", "cut%2", "end%"}) {
            assertEquals(
                    400,
                    assertThrows(RunnerException.class, () -> Exchanges.decodePath(raw))
                            .status(),
                    raw);
        }
    }
}
