package io.kubecoderun.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.kubecoderun.runner.testing.HostProcesses;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * LibreChat's {@code bash_tool} ({@code {lang: "bash", code}} to /exec), over HTTP against the standalone app with
 * real bubblewrap sandboxes: agents run {@code python3 x.py}, {@code node}, {@code gcc}, {@code go run} ... from
 * bash, so every toolchain of the language table must work from there, with the environment its own language
 * gets; bash has warm sandboxes by default; and background jobs die with the call, as the tool's prompt tells
 * the model. The profile leaves {@code POD_POOL_BASH} at its default.
 */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneBashTest extends StandaloneHttp {

    /** A program in a language's file, the command line a model types for it in bash, and what it prints. */
    record Program(String file, String source, String command) {}

    /**
     * One program per language of the table, each printing its language id and the sum of 1..10. A language added
     * to the table and not here fails {@link #everyLanguageOfTheTableRunsFromBash}.
     */
    static final Map<String, Program> PROGRAMS = Map.ofEntries(
            Map.entry("py", new Program("x.py", """
                            import numpy as np, pandas as pd, matplotlib.pyplot as plt
                            # the rest of what the python image ships (images/sandbox/packages)
                            import scipy, PIL, openpyxl, xlsxwriter, seaborn, sympy, tabulate, dateutil, pytz, cloudpickle
                            plt.plot(np.arange(10)); plt.savefig("/tmp/plot.png")
                            print("py", int(pd.Series(np.arange(1, 11)).sum()))
                            """, "python3 x.py")),
            Map.entry(
                    "js",
                    new Program(
                            "x.js",
                            "let s = 0; for (let i = 1; i <= 10; i++) s += i; console.log('js', s);",
                            "node x.js")),
            Map.entry(
                    "ts",
                    new Program(
                            "x.ts",
                            "const xs: number[] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];\n"
                                    + "console.log('ts', xs.reduce((a: number, b: number) => a + b, 0));",
                            "tsc x.ts && node x.js")),
            Map.entry(
                    "go",
                    new Program(
                            "x.go",
                            "package main\nimport \"fmt\"\n"
                                    + "func main() { s := 0; for i := 1; i <= 10; i++ { s += i }; fmt.Println(\"go\", s) }",
                            "go run x.go")),
            Map.entry(
                    "java",
                    new Program(
                            "X.java",
                            "public class X { public static void main(String[] a) { int s = 0;"
                                    + " for (int i = 1; i <= 10; i++) s += i; System.out.println(\"java \" + s); } }",
                            "javac X.java && java X")),
            Map.entry(
                    "c",
                    new Program(
                            "x.c",
                            "#include <stdio.h>\n"
                                    + "int main(void) { int s = 0; for (int i = 1; i <= 10; i++) s += i; printf(\"c %d\\n\", s); }",
                            "gcc -O2 x.c -o xc && ./xc")),
            Map.entry(
                    "cpp",
                    new Program(
                            "x.cpp",
                            "#include <iostream>\n#include <numeric>\n#include <vector>\n"
                                    + "int main() { std::vector<int> v(10); std::iota(v.begin(), v.end(), 1);"
                                    + " std::cout << \"cpp \" << std::accumulate(v.begin(), v.end(), 0) << \"\\n\"; }",
                            "g++ -std=c++17 x.cpp -o xcpp && ./xcpp")),
            Map.entry("php", new Program("x.php", "<?php echo 'php ', array_sum(range(1, 10)), \"\\n\";", "php x.php")),
            Map.entry(
                    "rs",
                    new Program(
                            "x.rs",
                            "fn main() { println!(\"rs {}\", (1..=10).sum::<i32>()); }",
                            "rustc x.rs -o xrs && ./xrs")),
            Map.entry("r", new Program("x.r", "cat(paste('r', sum(1:10)), '\\n', sep = '')", "Rscript x.r")),
            Map.entry(
                    "f90",
                    new Program(
                            "x.f90",
                            "program x\n  integer :: i, s\n  s = 0\n  do i = 1, 10\n    s = s + i\n  end do\n"
                                    + "  print '(A,I0)', 'f90 ', s\nend program x\n",
                            "gfortran x.f90 -o xf && ./xf")),
            Map.entry(
                    "d",
                    new Program(
                            "x.d",
                            "import std.stdio, std.algorithm, std.range;\n"
                                    + "void main() { writeln(\"d \", iota(1, 11).sum); }",
                            "ldc2 x.d -of=xd && ./xd")),
            Map.entry(
                    "bash",
                    new Program(
                            "x.sh", "s=0; for i in $(seq 1 10); do s=$((s + i)); done; echo bash $s", "bash x.sh")));

    /** The script a model would send: write the program in a fresh directory under /tmp, then run the command. */
    static String script(Program program) {
        return "set -e\ncd \"$(mktemp -d)\"\ncat > " + program.file() + " <<'KCR_EOF'\n" + program.source()
                + "\nKCR_EOF\n" + program.command() + "\n";
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> exec(String code, int timeoutSeconds) throws Exception {
        String body = json.writeValueAsString(Map.of("lang", "bash", "code", code, "timeout", timeoutSeconds));
        HttpResponse<String> response = http.send(
                request("/exec", KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readValue(response.body(), Map.class);
    }

    @Test
    void oneScriptRunsPythonWithPandasNodeGccAndGo() throws Exception {
        String code = """
                set -e
                cd "$(mktemp -d)"
                python3 -c 'import pandas as pd, numpy as np; print("pandas", int(pd.DataFrame({"a": np.arange(4)}).a.sum()))'
                node -e 'console.log("node", [1, 2, 3].map(x => x * 2).join(","))'
                cat > a.c <<'EOF'
                #include <stdio.h>
                int main(void) { printf("gcc %d\\n", 6 * 7); return 0; }
                EOF
                gcc a.c -o a && ./a
                cat > a.go <<'EOF'
                package main
                import "fmt"
                func main() { fmt.Println("go", 40+2) }
                EOF
                go run a.go
                """;
        Map<String, Object> result = exec(code, 120);
        assertEquals(0, result.get("exit_code"), result.toString());
        assertEquals("pandas 6\nnode 2,4,6\ngcc 42\ngo 42\n", result.get("stdout"), result.toString());
    }

    @Test
    void everyLanguageOfTheTableRunsFromBash() throws Exception {
        List<String> failures = new ArrayList<>();
        for (Language language : Languages.all()) {
            Program program = PROGRAMS.get(language.id());
            if (program == null) {
                failures.add(language.id() + ": no program here; add one to PROGRAMS");
                continue;
            }
            Map<String, Object> result = exec(script(program), 120);
            String expected = language.id() + " 55\n";
            if (!Integer.valueOf(0).equals(result.get("exit_code")) || !expected.equals(result.get("stdout"))) {
                failures.add(language.id() + " (" + program.command() + "): exit " + result.get("exit_code")
                        + ", stdout " + result.get("stdout") + ", stderr " + result.get("stderr"));
            }
        }
        assertEquals(List.of(), failures);
    }

    /** The variables each language's own run gets (writable caches, unbuffered Python ...) reach bash programs. */
    @Test
    void bashProgramsGetTheToolchainsEnvironment() throws Exception {
        Map<String, String> expected = Languages.find("bash").orElseThrow().env();
        assertTrue(expected.containsKey("GOCACHE") && expected.containsKey("MPLCONFIGDIR"), expected.toString());
        Map<String, Object> result = exec("env; go env GOCACHE GOPATH", 30);
        assertEquals(0, result.get("exit_code"), result.toString());
        List<String> lines = ((String) result.get("stdout")).lines().toList();
        expected.forEach((name, value) -> assertTrue(lines.contains(name + "=" + value), name + " in " + lines));
        assertTrue(lines.contains("/tmp/go-cache") && lines.contains("/tmp/go"), "go sees them: " + lines);
    }

    @Test
    @SuppressWarnings("unchecked")
    void bashIsServedByAWarmSandboxByDefault() throws Exception {
        Map<String, Object> bash = await("a warm bash sandbox")
                .atMost(Duration.ofMinutes(1))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> pool("bash"), counts -> ((Number) counts.get("ready")).intValue() >= 1);
        assertEquals(2, bash.get("target"), "POD_POOL_BASH's default: " + bash);
        int hits = ((Number) bash.get("hits")).intValue();
        Map<String, Object> result = exec("echo warm", 30);
        assertEquals("warm\n", result.get("stdout"), result.toString());
        assertTrue(((Number) pool("bash").get("hits")).intValue() > hits, "a warm lease, not a Job: " + pool("bash"));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> pool(String language) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/pool"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> languages =
                (Map<String, Object>) json.readValue(response.body(), Map.class).get("languages");
        return (Map<String, Object>) languages.get(language);
    }

    /**
     * {@code sleep &}, {@code nohup} and {@code setsid} jobs are running when the script ends (it counts them from
     * inside the sandbox), the call returns without waiting for them, and none is left on this machine after.
     */
    @Test
    void backgroundJobsDieWithTheExecution() throws Exception {
        String s = "30" + ThreadLocalRandom.current().nextInt(100_000, 999_999) + ".5";
        String code = String.join(
                "\n",
                "sleep " + s + " &",
                "nohup sleep " + s + " > /dev/null 2>&1 &",
                "setsid sleep " + s + " &",
                "setsid nohup sleep " + s + " < /dev/null > /dev/null 2>&1 &",
                "sleep 0.5",
                "n=0; for p in /proc/[0-9]*; do tr '\\0' ' ' < $p/cmdline 2>/dev/null | grep -q '^sleep " + s
                        + " ' && n=$((n + 1)); done",
                "echo running $n");
        long start = System.nanoTime();
        Map<String, Object> result = exec(code, 60);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertEquals("running 4\n", result.get("stdout"), result.toString());
        assertEquals(0, result.get("exit_code"), result.toString());
        assertTrue(ms < 20_000, "the call did not wait for its background jobs: " + ms + " ms");
        assertEquals(List.of(), HostProcesses.awaitGone(s, 3_000), "background jobs outlived the execution");
    }
}
