package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bash image's pod as it runs where the runner cannot make a cgroup (a read-only {@code /sys/fs/cgroup}):
 * no sandbox of its own, memory bounded by RLIMIT_AS only where the language bears it. Bash calls every
 * toolchain, so it must not get the limit the runtimes that reserve large address ranges cannot start under
 * (before: {@code javac} from bash died at JVM start, "Could not create the Java Virtual Machine").
 * The standalone app's StandaloneBashTest runs every language from bash under bubblewrap with a cgroup.
 */
@Timeout(300)
class BashToolchainsIT {
    @TempDir
    static Path temp;

    static RunnerProcess runner;
    static RunnerHttp client;

    @BeforeAll
    static void start() throws Exception {
        runner = RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "none", "RUNNER_CGROUP_PARENT", "off"));
        client = runner.client();
    }

    @AfterAll
    static void stop() {
        if (runner != null) {
            runner.close();
        }
    }

    /** The languages that bear no RLIMIT_AS, each called from bash as a model would (in the working directory). */
    static final Map<String, String> SCRIPTS = Map.of(
            "js", "node -e 'console.log(\"js\", 6 * 7)'",
            "ts", "echo 'const n: number = 42; console.log(\"ts\", n);' > x.ts && tsc x.ts && node x.js",
            "go",
                    "printf 'package main\\nimport \"fmt\"\\nfunc main() { fmt.Println(\"go\", 42) }\\n' > x.go"
                            + " && go run x.go",
            "java",
                    "echo 'class X { public static void main(String[] a) { System.out.println(\"java 42\"); } }'"
                            + " > X.java && javac X.java && java X",
            "r", "Rscript -e 'cat(\"r 42\\n\")'",
            "d", "echo 'import std.stdio; void main() { writeln(\"d 42\"); }' > x.d && ldc2 x.d -of=xd && ./xd");

    @Test
    void everyRuntimeThatBearsNoAddressSpaceLimitStartsFromBash() throws Exception {
        Set<String> unlimited = Set.copyOf(Languages.all().stream()
                .filter(language ->
                        !language.limitAddressSpace() && !language.id().equals("bash"))
                .map(Language::id)
                .toList());
        assertEquals(unlimited, SCRIPTS.keySet(), "a script for each language of the table that bears no RLIMIT_AS");
        List<String> failures = new ArrayList<>();
        for (Language language : Languages.all()) {
            String script = SCRIPTS.get(language.id());
            if (script == null) {
                continue;
            }
            Map<String, Object> result = client.execute(
                            Map.of("lang", "bash", "code", "set -e\n" + script, "timeout_ms", 120_000))
                    .json();
            if (!(language.id() + " 42\n").equals(result.get("stdout"))) {
                failures.add(language.id() + ": exit " + result.get("exit_code") + ", stdout " + result.get("stdout")
                        + ", stderr " + result.get("stderr"));
            }
        }
        assertEquals(List.of(), failures);
    }
}
