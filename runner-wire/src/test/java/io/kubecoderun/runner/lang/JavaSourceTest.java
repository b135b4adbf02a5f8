package io.kubecoderun.runner.lang;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JavaSourceTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "public class with any name | public class Sum { public static void main(String[] a) {} } | Sum | Sum.java",
                "package-private class with main | class Helper {} class App { static void main(String[] a) {} } | App | Main.java",
                "no class with main | class Only {} | Main | Main.java",
                "public final class | public final class Tool { public static void main(String[] a) {} } | Tool | Tool.java",
                "public record | public record R(int x) { public static void main(String[] a) {} } | R | R.java",
                "name in a comment is ignored | // public class Fake\\npublic class Real { public static void main(String[] a) {} } | Real | Real.java",
                "name in a string is ignored | class A { static void main(String[] a) { String s = \"public class Fake\"; } } | A | Main.java",
            })
    void findsTheClassToRun(String name, String code, String mainClass, String fileName) {
        String source = code.replace("\\n", "\n");
        assertEquals(mainClass, JavaSource.mainClass(source));
        assertEquals(fileName, JavaSource.fileName(source));
    }
}
