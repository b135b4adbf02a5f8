package io.kubecoderun.runner.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LanguagesTest {

    @Test
    void theTableHoldsTheThirteenLanguagesOfTheApi() {
        assertEquals(
                List.of("py", "js", "ts", "go", "java", "c", "cpp", "php", "rs", "r", "f90", "d", "bash"),
                Languages.all().stream().map(Language::id).toList());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "python,py",
        "PY,py",
        " javascript ,js",
        "typescript,ts",
        "golang,go",
        "rust,rs",
        "fortran,f90",
        "sh,bash",
        "Java,java",
        "c++,cpp",
        "R,r",
        "d,d",
        "php,php"
    })
    void resolvesIdsAndAliasesIgnoringCase(String name, String id) {
        assertEquals(id, Languages.find(name).orElseThrow().id());
    }

    @Test
    void unknownLanguagesAreAbsent() {
        assertTrue(Languages.find("cobol").isEmpty());
        assertTrue(Languages.find(null).isEmpty());
    }

    @Test
    void expandFillsPlaceholdersAndRefusesUnknownOnes() {
        assertEquals(
                List.of("gcc", "-o", "/b/prog", "/b/code.c"),
                Language.expand(
                        List.of("gcc", "-o", "{bin}", "{build}/code.c"), Map.of("bin", "/b/prog", "build", "/b")));
        assertThrows(IllegalStateException.class, () -> Language.expand(List.of("{nope}"), Map.of()));
    }

    /** What callers decide on: only Python keeps state and is started ahead; only Java names its main class. */
    @Test
    void traitsSayWhatALanguageCanDo() {
        assertEquals(
                List.of("py"),
                Languages.with(Language.Trait.KEEPS_STATE).stream()
                        .map(Language::id)
                        .toList());
        assertEquals(
                List.of("py"),
                Languages.with(Language.Trait.WARM_INTERPRETER).stream()
                        .map(Language::id)
                        .toList());
        assertEquals(
                List.of("java"),
                Languages.with(Language.Trait.MAIN_CLASS_FROM_SOURCE).stream()
                        .map(Language::id)
                        .toList());
        assertTrue(Languages.find("bash").orElseThrow().traits().isEmpty());
    }

    @Test
    void theIdsAreListedInTableOrderForErrorMessages() {
        assertEquals(
                "py, js, ts, go, java, c, cpp, php, rs, r, f90, d, bash",
                Languages.ids(),
                "the order of the per-language settings (registry's PerLanguage.IDS) follows this table");
    }
}
