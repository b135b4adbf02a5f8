package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every language through the runner's HTTP API with the real toolchain in the bubblewrap sandbox: a sum, argv, a
 * compile or syntax error and a runtime error each, plus syntax only TypeScript and C++ accept.
 */
class LanguageMatrixIT {
    @RegisterExtension
    static final RunnerExtension runner = RunnerExtension.sandboxed();

    static RunnerHttp client;

    @BeforeAll
    static void connect() {
        client = runner.client();
    }

    /** lang, sum of 1..10, print argv joined by '|', a program that does not compile or parse, one that fails. */
    static Stream<Arguments> languages() {
        return Stream.of(
                Arguments.of(
                        "py",
                        "print(sum(range(1, 11)))",
                        "import sys\nprint('|'.join(sys.argv[1:]))",
                        "def broken(:\n    pass",
                        "print(1 / 0)",
                        "SyntaxError",
                        "ZeroDivisionError"),
                Arguments.of(
                        "js",
                        "let s = 0; for (let i = 1; i <= 10; i++) s += i; console.log(s);",
                        "console.log(process.argv.slice(2).join('|'))",
                        "function (",
                        "throw new Error('boom')",
                        "SyntaxError",
                        "boom"),
                Arguments.of(
                        "ts",
                        "const xs: number[] = [1,2,3,4,5,6,7,8,9,10]; console.log(xs.reduce((a: number, b: number) => a + b, 0));",
                        "const args: string[] = process.argv.slice(2); console.log(args.join('|'));",
                        "const x: number = 'not a number';",
                        "throw new Error('boom');",
                        "error TS",
                        "boom"),
                Arguments.of(
                        "go",
                        "package main\nimport \"fmt\"\nfunc main() { s := 0; for i := 1; i <= 10; i++ { s += i }; fmt.Println(s) }",
                        "package main\nimport (\"fmt\"; \"os\"; \"strings\")\nfunc main() { fmt.Println(strings.Join(os.Args[1:], \"|\")) }",
                        "package main\nfunc main() { x := }",
                        "package main\nfunc main() { panic(\"boom\") }",
                        "syntax error",
                        "panic: boom"),
                Arguments.of(
                        "java",
                        "public class Sum { public static void main(String[] a) { int s = 0; for (int i = 1; i <= 10; i++) s += i; System.out.println(s); } }",
                        "public class Args { public static void main(String[] a) { System.out.println(String.join(\"|\", a)); } }",
                        "public class Bad { public static void main(String[] a) { int x = } }",
                        "class Helper {}\nclass Main2 { public static void main(String[] a) { throw new RuntimeException(\"boom\"); } }",
                        "error:",
                        "RuntimeException: boom"),
                Arguments.of(
                        "c",
                        "#include <stdio.h>\nint main(void) { int s = 0; for (int i = 1; i <= 10; i++) s += i; printf(\"%d\\n\", s); return 0; }",
                        "#include <stdio.h>\nint main(int argc, char **argv) { for (int i = 1; i < argc; i++) printf(i > 1 ? \"|%s\" : \"%s\", argv[i]); printf(\"\\n\"); return 0; }",
                        "int main(void) { return }",
                        "int main(void) { volatile int *p = 0; *p = 1; return 0; }",
                        "error",
                        "SIGSEGV"),
                Arguments.of(
                        "cpp",
                        "#include <iostream>\nint main() { int s = 0; for (int i = 1; i <= 10; ++i) s += i; std::cout << s << std::endl; }",
                        "#include <iostream>\nint main(int argc, char** argv) { for (int i = 1; i < argc; ++i) std::cout << (i > 1 ? \"|\" : \"\") << argv[i]; std::cout << std::endl; }",
                        "int main() { return }",
                        "#include <stdexcept>\nint main() { throw std::runtime_error(\"boom\"); }",
                        "error",
                        "boom"),
                Arguments.of(
                        "php",
                        "<?php echo array_sum(range(1, 10)), \"\\n\";",
                        "<?php echo implode('|', array_slice($argv, 1)), \"\\n\";",
                        "<?php echo 'x'",
                        "<?php throw new Exception('boom');",
                        "Parse error",
                        "boom"),
                Arguments.of(
                        "rs",
                        "fn main() { let s: i32 = (1..=10).sum(); println!(\"{}\", s); }",
                        "fn main() { let a: Vec<String> = std::env::args().skip(1).collect(); println!(\"{}\", a.join(\"|\")); }",
                        "fn main() { let x = ; }",
                        "fn main() { panic!(\"boom\"); }",
                        "error",
                        "boom"),
                Arguments.of(
                        "r",
                        "cat(sum(1:10), \"\\n\")",
                        "cat(paste(commandArgs(trailingOnly = TRUE), collapse = \"|\"), \"\\n\")",
                        "x <- (1 + ",
                        "stop(\"boom\")",
                        "Error",
                        "boom"),
                Arguments.of(
                        "f90",
                        "program s\n  integer :: i, t\n  t = 0\n  do i = 1, 10\n    t = t + i\n  end do\n  print '(I0)', t\nend program s",
                        "program a\n  character(len=64) :: x, y\n  call get_command_argument(1, x)\n  call get_command_argument(2, y)\n  print '(A)', trim(x) // '|' // trim(y)\nend program a",
                        "program b\n  integer :: = 1\nend program b",
                        "program c\n  error stop \"boom\"\nend program c",
                        "Error",
                        "boom"),
                Arguments.of(
                        "d",
                        "import std.stdio; void main() { int s = 0; foreach (i; 1 .. 11) s += i; writeln(s); }",
                        "import std.stdio, std.array; void main(string[] args) { writeln(args[1 .. $].join(\"|\")); }",
                        "void main() { int x = ; }",
                        "void main() { throw new Exception(\"boom\"); }",
                        "Error",
                        "boom"),
                Arguments.of(
                        "bash",
                        "echo $(( 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8 + 9 + 10 ))",
                        "IFS='|'; echo \"$*\"",
                        "if then fi",
                        "no_such_command_kcr",
                        "syntax error",
                        "not found"));
    }

    private static Map<String, Object> run(String lang, String code, List<String> args) throws Exception {
        RunnerHttp.Reply reply = client.execute(Map.of("lang", lang, "code", code, "args", args));
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    @ParameterizedTest(name = "{0}: sum of 1..10 is 55")
    @MethodSource("languages")
    void sumsOneToTen(
            String lang, String sum, String argv, String broken, String failing, String compileHint, String runtimeHint)
            throws Exception {
        Map<String, Object> result = run(lang, sum, List.of());
        assertEquals("55", ((String) result.get("stdout")).strip(), result.toString());
        assertEquals(0L, result.get("exit_code"));
        assertFalse((Boolean) result.get("timed_out"));
    }

    @ParameterizedTest(name = "{0}: reads argv")
    @MethodSource("languages")
    void readsArguments(
            String lang, String sum, String argv, String broken, String failing, String compileHint, String runtimeHint)
            throws Exception {
        Map<String, Object> result = run(lang, argv, List.of("alpha", "beta gamma"));
        assertEquals("alpha|beta gamma", ((String) result.get("stdout")).strip(), result.toString());
        assertEquals(0L, result.get("exit_code"));
    }

    @ParameterizedTest(name = "{0}: a compile or syntax error is a non-zero exit with the message in stderr")
    @MethodSource("languages")
    void reportsCompileErrors(
            String lang, String sum, String argv, String broken, String failing, String compileHint, String runtimeHint)
            throws Exception {
        Map<String, Object> result = run(lang, broken, List.of());
        assertNotEquals(0L, result.get("exit_code"), result.toString());
        assertTrue(((String) result.get("stderr")).contains(compileHint), result.toString());
        assertEquals("", result.get("stdout"));
    }

    @ParameterizedTest(name = "{0}: a runtime error is a non-zero exit with the message in stderr")
    @MethodSource("languages")
    void reportsRuntimeErrors(
            String lang, String sum, String argv, String broken, String failing, String compileHint, String runtimeHint)
            throws Exception {
        Map<String, Object> result = run(lang, failing, List.of());
        assertNotEquals(0L, result.get("exit_code"), result.toString());
        assertTrue(((String) result.get("stderr")).contains(runtimeHint), result.toString());
        assertFalse((Boolean) result.get("timed_out"));
    }

    @Test
    void typeScriptOnlySyntaxCompiles() throws Exception {
        String code = """
                interface Point { x: number; y: number }
                enum Color { Red = 'red', Green = 'green' }
                type Pair<T> = [T, T];
                function first<T>(pair: Pair<T>): T { return pair[0]; }
                class Box<T> { constructor(private readonly value: T) {} get(): T { return this.value; } }
                const p: Point = { x: 3, y: 4 };
                const b = new Box<string>(Color.Green);
                console.log(first<number>([p.x, p.y]), b.get(), (p as Point).y);
                """;
        Map<String, Object> result = run("typescript", code, List.of());
        assertEquals("3 green 4", ((String) result.get("stdout")).strip(), result.toString());
    }

    @Test
    void cppOnlyCodeRunsWithARealCppCompiler() throws Exception {
        String code = """
                #include <iostream>
                #include <map>
                #include <memory>
                #include <string>
                #include <vector>
                #include <algorithm>
                template <typename T> T twice(T v) { return v + v; }
                struct Shape { virtual ~Shape() = default; virtual std::string name() const = 0; };
                struct Square : Shape { std::string name() const override { return "square"; } };
                int main() {
                    std::map<std::string, int> counts{{"a", 1}, {"b", 2}};
                    std::vector<int> v{3, 1, 2};
                    std::sort(v.begin(), v.end(), [](int a, int b) { return a > b; });
                    std::unique_ptr<Shape> s = std::make_unique<Square>();
                    std::cout << twice(21) << ' ' << counts["b"] << ' ' << v.front() << ' ' << s->name() << std::endl;
                }
                """;
        Map<String, Object> result = run("c++", code, List.of());
        assertEquals("42 2 3 square", ((String) result.get("stdout")).strip(), result.toString());
    }

    @Test
    void unknownLanguagesAreABadRequestNamingTheSupportedOnes() throws Exception {
        RunnerHttp.Reply reply = client.execute(Map.of("lang", "cobol", "code", "DISPLAY 1"));
        assertEquals(400, reply.status());
        assertEquals("unsupported_language", reply.json().get("error_type"));
        assertTrue(((String) reply.json().get("error")).contains("py"));
    }

    @Test
    void stdinIsClosedSoAProgramReadingItDoesNotHang() throws Exception {
        Map<String, Object> result = run("py", "import sys\nprint('read:' + repr(sys.stdin.read()))", List.of());
        assertEquals("read:''", ((String) result.get("stdout")).strip());
    }
}
