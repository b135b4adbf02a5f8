package io.kubecoderun.runner.lang;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the class to run in a Java source, so user code need not call its class {@code Code}.
 *
 * <p>Rule: the public top-level class if there is one (javac requires the file to carry its name), else the first
 * class that declares {@code static void main}, else {@code Main}. Comments and string literals are blanked first
 * so a class name inside them cannot mislead the scan.
 */
public final class JavaSource {
    private static final Pattern PUBLIC_TYPE = Pattern.compile(
            "(?m)^\\s*public\\s+(?:(?:final|abstract|sealed|non-sealed|strictfp)\\s+)*(?:class|record|enum|interface)\\s+([A-Za-z_$][A-Za-z0-9_$]*)");
    private static final Pattern TYPE =
            Pattern.compile("\\b(?:class|record|enum|interface)\\s+([A-Za-z_$][A-Za-z0-9_$]*)");
    private static final Pattern MAIN = Pattern.compile("\\bstatic\\s+(?:final\\s+)?void\\s+main\\s*\\(");

    private JavaSource() {}

    public static String mainClass(String code) {
        String clean = blankCommentsAndStrings(code);
        Matcher pub = PUBLIC_TYPE.matcher(clean);
        if (pub.find()) {
            return pub.group(1);
        }
        Matcher main = MAIN.matcher(clean);
        if (main.find()) {
            String owner = null;
            Matcher type = TYPE.matcher(clean);
            while (type.find() && type.start() < main.start()) {
                owner = type.group(1);
            }
            if (owner != null) {
                return owner;
            }
        }
        return "Main";
    }

    public static String fileName(String code) {
        Matcher pub = PUBLIC_TYPE.matcher(blankCommentsAndStrings(code));
        return (pub.find() ? pub.group(1) : "Main") + ".java";
    }

    static String blankCommentsAndStrings(String code) {
        StringBuilder out = new StringBuilder(code.length());
        int i = 0;
        int n = code.length();
        while (i < n) {
            char c = code.charAt(i);
            if (c == '/' && i + 1 < n && code.charAt(i + 1) == '/') {
                while (i < n && code.charAt(i) != '\n') {
                    out.append(' ');
                    i++;
                }
            } else if (c == '/' && i + 1 < n && code.charAt(i + 1) == '*') {
                int end = code.indexOf("*/", i + 2);
                end = end < 0 ? n : end + 2;
                for (; i < end; i++) {
                    out.append(code.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (code.startsWith("\"\"\"", i)) {
                int end = code.indexOf("\"\"\"", i + 3);
                end = end < 0 ? n : end + 3;
                for (; i < end; i++) {
                    out.append(code.charAt(i) == '\n' ? '\n' : ' ');
                }
            } else if (c == '"' || c == '\'') {
                out.append(' ');
                i++;
                while (i < n && code.charAt(i) != c && code.charAt(i) != '\n') {
                    if (code.charAt(i) == '\\') {
                        out.append(' ');
                        i++;
                    }
                    if (i < n) {
                        out.append(' ');
                        i++;
                    }
                }
                if (i < n) {
                    out.append(' ');
                    i++;
                }
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }
}
