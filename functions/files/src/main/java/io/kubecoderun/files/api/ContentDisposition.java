package io.kubecoderun.files.api;

import io.kubecoderun.core.ids.FileNames;
import java.nio.charset.StandardCharsets;

/** RFC 6266 / RFC 5987 {@code Content-Disposition}: an ASCII fallback plus the exact UTF-8 name. */
final class ContentDisposition {
    private ContentDisposition() {}

    static String attachment(String name) {
        String base = FileNames.baseName(name);
        StringBuilder ascii = new StringBuilder();
        for (char c : base.toCharArray()) {
            ascii.append(c >= 0x20 && c < 0x7f && c != '"' && c != '\\' && c != ';' ? c : '_');
        }
        return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encode(base);
    }

    /** RFC 5987 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~", everything else percent-encoded. */
    static String encode(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'a' && c <= 'z')
                    || (c >= 'A' && c <= 'Z')
                    || (c >= '0' && c <= '9')
                    || "!#$&+-.^_`|~".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
