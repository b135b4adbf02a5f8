package io.kubecoderun.runner.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    /**
     * Agents call every toolchain from bash ({@code python3 x.py}, {@code go run x.go}, {@code javac}): bash gets
     * what each language's own run sets (Go's GOPATH mode aside) and no address-space limit, which the JVM, V8
     * and Go do not bear (without a cgroup, {@code javac} from bash died at JVM start under RLIMIT_AS).
     */
    @Test
    void bashGetsEveryToolchainsEnvironmentAndLimits() {
        Language bash = Languages.find("bash").orElseThrow();
        for (Language language : Languages.all()) {
            language.env().forEach((name, value) -> {
                if (!Languages.OWN_RUN_ONLY.contains(name)) {
                    assertEquals(value, bash.env().get(name), language.id() + "'s " + name);
                }
            });
            if (!language.limitAddressSpace()) {
                assertFalse(bash.limitAddressSpace(), "bash runs " + language.id() + ", which bears no RLIMIT_AS");
            }
        }
        assertEquals("/tmp/go-cache", bash.env().get("GOCACHE"));
        assertEquals("/tmp/matplotlib", bash.env().get("MPLCONFIGDIR"));
        assertFalse(bash.env().containsKey("GO111MODULE"), "go mod init works from bash");
    }

    @Test
    void twoLanguagesSettingOneVariableDifferentlyCannotBothBeCalledFromBash() {
        Language a = Languages.find("py").orElseThrow();
        Language b = new Language(
                "x",
                List.of(),
                "X",
                code -> "x",
                List.of(),
                List.of("x"),
                1.0,
                Map.of("MPLBACKEND", "TkAgg"),
                Map.of(),
                true);
        IllegalStateException e =
                assertThrows(IllegalStateException.class, () -> Languages.toolchainEnv(List.of(a, b)));
        assertTrue(e.getMessage().contains("MPLBACKEND"), e.getMessage());
    }
}
