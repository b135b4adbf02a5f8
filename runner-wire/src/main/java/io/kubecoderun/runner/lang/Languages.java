package io.kubecoderun.runner.lang;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The table of languages: the single place in the system that knows how each language is compiled and run.
 *
 * <p>Commands name programs, not paths: they resolve through the sandbox's fixed {@code PATH}
 * ({@code /usr/local/bin:/usr/bin:/bin}), never the runner's own, so a shim early on a developer's PATH cannot slow
 * or subvert user code. Compilers get budget through the timeout factor: compile and run share one deadline.
 */
public final class Languages {

    /** Environment every language gets; nothing from the runner's own environment is passed on. */
    public static final Map<String, String> BASE_ENV = Map.of(
            "PATH", "/usr/local/bin:/usr/bin:/bin",
            "HOME", "/tmp",
            "TMPDIR", "/tmp",
            "LANG", "C.UTF-8",
            "LC_ALL", "C.UTF-8");

    /**
     * Variables a language sets for its own compile and run only, not for its toolchain wherever it is called:
     * the Go language builds its one file in GOPATH mode, while from bash {@code go mod init x && go run .} needs
     * Go's default, modules. (Declared before the table: the static block reads it.)
     */
    static final Set<String> OWN_RUN_ONLY = Set.of("GO111MODULE");

    private static final Map<String, Language> BY_NAME = new LinkedHashMap<>();
    private static final List<Language> ALL;

    static {
        List<Language> toolchains = List.of(
                new Language(
                        "py",
                        List.of("python", "python3"),
                        "Python",
                        fixed("code.py"),
                        List.of(),
                        List.of(
                                "python3",
                                "{build}/{python_wrapper}",
                                "{src}",
                                "{state_in}",
                                "{state_out}",
                                "{state_report}"),
                        1.0,
                        Map.of(
                                "PYTHONUNBUFFERED",
                                "1",
                                "PYTHONDONTWRITEBYTECODE",
                                "1",
                                "PYTHONIOENCODING",
                                "utf-8",
                                "MPLBACKEND",
                                "Agg",
                                "MPLCONFIGDIR",
                                "/tmp/matplotlib"),
                        Map.of("kcr_python.py", "kcr_python.py"),
                        true,
                        Set.of(Language.Trait.KEEPS_STATE, Language.Trait.WARM_INTERPRETER)),
                new Language(
                        "js",
                        List.of("javascript", "node", "nodejs"),
                        "JavaScript",
                        fixed("code.js"),
                        List.of(),
                        List.of("node", "{src}"),
                        1.0,
                        Map.of(),
                        Map.of(),
                        false),
                new Language(
                        "ts",
                        List.of("typescript"),
                        "TypeScript",
                        fixed("code.ts"),
                        List.of(
                                "tsc",
                                "--outDir",
                                "{build}/out",
                                "--target",
                                "es2020",
                                "--module",
                                "commonjs",
                                "--lib",
                                "es2020",
                                "--strict",
                                "--noImplicitAny",
                                "false",
                                "--esModuleInterop",
                                "--skipLibCheck",
                                "--pretty",
                                "false",
                                "{src}",
                                "{build}/node-globals.d.ts"),
                        List.of("node", "{build}/out/code.js"),
                        2.0,
                        Map.of(),
                        Map.of("node-globals.d.ts", "node-globals.d.ts"),
                        false),
                new Language(
                        "go",
                        List.of("golang"),
                        "Go",
                        fixed("main.go"),
                        List.of("go", "build", "-o", "{bin}", "{src}"),
                        List.of("{bin}"),
                        2.0,
                        Map.of(
                                "GOCACHE",
                                "/tmp/go-cache",
                                "GOPATH",
                                "/tmp/go",
                                "GO111MODULE",
                                "off",
                                "GOTOOLCHAIN",
                                "local",
                                "CGO_ENABLED",
                                "0"),
                        Map.of(),
                        false),
                new Language(
                        "java",
                        List.of(),
                        "Java",
                        JavaSource::fileName,
                        List.of(
                                "javac",
                                "-J-XX:+UseSerialGC",
                                "-J-XX:TieredStopAtLevel=1",
                                "-J-Xshare:auto",
                                "-encoding",
                                "UTF-8",
                                "-nowarn",
                                "-d",
                                "{build}/classes",
                                "{src}"),
                        List.of("java", "-XX:+UseSerialGC", "-Xshare:auto", "-cp", "{build}/classes", "{main}"),
                        2.0,
                        Map.of(),
                        Map.of(),
                        false,
                        Set.of(Language.Trait.MAIN_CLASS_FROM_SOURCE)),
                new Language(
                        "c",
                        List.of(),
                        "C",
                        fixed("code.c"),
                        List.of("gcc", "-std=gnu17", "-O2", "-pipe", "-o", "{bin}", "{src}", "-lm"),
                        List.of("{bin}"),
                        1.5,
                        Map.of(),
                        Map.of(),
                        true),
                new Language(
                        "cpp",
                        List.of("c++", "cxx"),
                        "C++",
                        fixed("code.cpp"),
                        List.of("g++", "-std=gnu++17", "-O2", "-pipe", "-o", "{bin}", "{src}"),
                        List.of("{bin}"),
                        2.0,
                        Map.of(),
                        Map.of(),
                        true),
                new Language(
                        "php",
                        List.of(),
                        "PHP",
                        fixed("code.php"),
                        List.of(),
                        List.of("php", "{src}"),
                        1.0,
                        Map.of(),
                        Map.of(),
                        true),
                new Language(
                        "rs",
                        List.of("rust"),
                        "Rust",
                        fixed("main.rs"),
                        List.of("rustc", "--edition", "2021", "-C", "debuginfo=0", "-o", "{bin}", "{src}"),
                        List.of("{bin}"),
                        2.0,
                        Map.of(),
                        Map.of(),
                        true),
                new Language(
                        "r",
                        List.of("rscript"),
                        "R",
                        fixed("code.r"),
                        List.of(),
                        List.of("Rscript", "--vanilla", "{src}"),
                        1.5,
                        Map.of(),
                        Map.of(),
                        false),
                new Language(
                        "f90",
                        List.of("fortran", "f95", "f03"),
                        "Fortran",
                        fixed("code.f90"),
                        List.of("gfortran", "-O2", "-pipe", "-o", "{bin}", "{src}"),
                        List.of("{bin}"),
                        1.5,
                        Map.of(),
                        Map.of(),
                        true),
                new Language(
                        "d",
                        List.of("dlang"),
                        "D",
                        fixed("code.d"),
                        List.of("ldc2", "-O", "-od={build}", "-of={bin}", "{src}"),
                        List.of("{bin}"),
                        2.0,
                        Map.of(),
                        Map.of(),
                        false));
        ALL = Stream.concat(toolchains.stream(), Stream.of(bash(toolchains))).toList();
        for (Language language : ALL) {
            BY_NAME.put(language.id(), language);
            for (String alias : language.aliases()) {
                BY_NAME.put(alias, language);
            }
        }
    }

    private Languages() {}

    /**
     * Bash, which agents use to call every other toolchain ({@code python3 x.py}, {@code go run x.go}, {@code
     * javac} ...): its environment is every other language's (writable caches, unbuffered Python, matplotlib's
     * backend) but for {@link #OWN_RUN_ONLY}, and it bears an address-space limit only if all of them do (the JVM,
     * V8 and Go do not).
     */
    private static Language bash(List<Language> toolchains) {
        return new Language(
                "bash",
                List.of("sh", "shell"),
                "Bash",
                fixed("code.sh"),
                List.of(),
                List.of("bash", "{src}"),
                1.0,
                toolchainEnv(toolchains),
                Map.of(),
                toolchains.stream().allMatch(Language::limitAddressSpace));
    }

    /** The union of the languages' environments but {@link #OWN_RUN_ONLY}; two values for one variable fail. */
    static Map<String, String> toolchainEnv(List<Language> languages) {
        Map<String, String> env = new TreeMap<>();
        for (Language language : languages) {
            language.env().forEach((name, value) -> {
                if (OWN_RUN_ONLY.contains(name)) {
                    return;
                }
                String other = env.putIfAbsent(name, value);
                if (other != null && !other.equals(value)) {
                    throw new IllegalStateException(
                            name + " is " + other + " for one language and " + value + " for " + language.id());
                }
            });
        }
        return env;
    }

    private static UnaryOperator<String> fixed(String name) {
        return code -> name;
    }

    /** Looks a language up by id or alias, ignoring case and surrounding blanks. */
    public static Optional<Language> find(String name) {
        if (name == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(BY_NAME.get(name.strip().toLowerCase(Locale.ROOT)));
    }

    public static List<Language> all() {
        return ALL;
    }

    /** The ids of every language, in table order, as an error message lists them: {@code py, js, ...}. */
    public static String ids() {
        return String.join(", ", ALL.stream().map(Language::id).toList());
    }

    /** The languages that have {@code trait}, in table order. */
    public static List<Language> with(Language.Trait trait) {
        return ALL.stream().filter(language -> language.has(trait)).toList();
    }
}
