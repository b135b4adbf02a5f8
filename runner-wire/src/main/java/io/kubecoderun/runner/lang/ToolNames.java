package io.kubecoderun.runner.lang;

import java.util.Set;

/**
 * The identifier a tool gets in the program that calls it, exactly as LibreChat's client computes it
 * ({@code normalizeToPythonIdentifier} in {@code ProgrammaticToolCalling.ts}, {@code normalizeToBashIdentifier} in
 * {@code BashProgrammaticToolCalling.ts}): the client writes its prompt and reads the program with these names, so
 * the two sides must agree character for character.
 */
public final class ToolNames {
    private ToolNames() {}

    private static final Set<String> PYTHON_KEYWORDS = Set.of(
            "False",
            "None",
            "True",
            "and",
            "as",
            "assert",
            "async",
            "await",
            "break",
            "class",
            "continue",
            "def",
            "del",
            "elif",
            "else",
            "except",
            "finally",
            "for",
            "from",
            "global",
            "if",
            "import",
            "in",
            "is",
            "lambda",
            "nonlocal",
            "not",
            "or",
            "pass",
            "raise",
            "return",
            "try",
            "while",
            "with",
            "yield");

    private static final Set<String> BASH_RESERVED = Set.of(
            "if",
            "then",
            "else",
            "elif",
            "fi",
            "case",
            "esac",
            "for",
            "while",
            "until",
            "do",
            "done",
            "in",
            "function",
            "select",
            "time",
            "coproc",
            "declare",
            "typeset",
            "local",
            "readonly",
            "export",
            "unset");

    /** JavaScript's {@code \\s}, which the client's expressions use (Java's own is ASCII only). */
    private static final String JS_SPACE =
            "\\t\\n\\u000B\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff";

    /**
     * Hyphens and whitespace become {@code _}, other characters outside {@code [A-Za-z0-9_]} are dropped, a leading
     * digit gets a {@code _} in front and a Python keyword the suffix {@code _tool}.
     */
    public static String python(String name) {
        return finish(name.replaceAll("[-" + JS_SPACE + "]", "_"), PYTHON_KEYWORDS);
    }

    /** As {@link #python}, but dots become {@code _} too and bash's reserved words get the suffix. */
    public static String bash(String name) {
        return finish(name.replaceAll("[-." + JS_SPACE + "]", "_"), BASH_RESERVED);
    }

    /** Builtins the bash prelude itself runs by name: a function of that name would capture its own calls. */
    private static final Set<String> BASH_SHADOWING = Set.of("exec", "command", "builtin", "return");

    /**
     * Why {@code name} cannot be a tool of a programmatic execution in {@code languageId}, if it cannot: it has no
     * usable character, or (bash) its function would shadow a builtin the tool functions rely on.
     */
    public static java.util.Optional<String> unusable(String languageId, String name) {
        String identifier = forLanguage(languageId, name);
        if (identifier.isEmpty()) {
            return java.util.Optional.of("the tool name '" + name + "' has no usable characters");
        }
        if ("bash".equals(languageId) && (BASH_SHADOWING.contains(identifier) || identifier.startsWith("__kcr"))) {
            return java.util.Optional.of(
                    "the tool name '" + name + "' would shadow the shell's own " + identifier + " in bash");
        }
        return java.util.Optional.empty();
    }

    /** The identifier in the language of a programmatic execution ({@code bash}, else Python). */
    public static String forLanguage(String languageId, String name) {
        return "bash".equals(languageId) ? bash(name) : python(name);
    }

    private static String finish(String replaced, Set<String> reserved) {
        String normalized = replaced.replaceAll("[^a-zA-Z0-9_]", "");
        if (!normalized.isEmpty() && normalized.charAt(0) >= '0' && normalized.charAt(0) <= '9') {
            normalized = "_" + normalized;
        }
        return reserved.contains(normalized) ? normalized + "_tool" : normalized;
    }
}
