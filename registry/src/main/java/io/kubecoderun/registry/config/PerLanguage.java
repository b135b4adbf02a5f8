package io.kubecoderun.registry.config;

import java.util.List;

/**
 * A family of settings with one variable per language ({@code POD_POOL_<LANG>}, {@code LANG_IMAGE_<LANG>}): the
 * mappings declare one member per language, so each variable keeps its original name and type, and this picks
 * the member of a language id. The order is the runner's language table ({@code LanguagesTest} and the controller's
 * settings test check that every language of the table has its variable).
 */
public final class PerLanguage {
    /** The language ids in the order the members are passed. */
    public static final List<String> IDS =
            List.of("py", "js", "ts", "go", "java", "c", "cpp", "php", "rs", "r", "f90", "d", "bash");

    private PerLanguage() {}

    @SafeVarargs
    public static <T> T pick(String family, String language, T... members) {
        int at = IDS.indexOf(language);
        if (at < 0 || members.length != IDS.size()) {
            throw new IllegalArgumentException("no " + family + " setting for language " + language);
        }
        return members[at];
    }
}
