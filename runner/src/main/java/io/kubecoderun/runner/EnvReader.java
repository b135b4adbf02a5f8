package io.kubecoderun.runner;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Reads settings from environment variables (or anything that looks names up) and collects every problem instead
 * of stopping at the first, so a misconfigured process names all of them at once. The runner's own reader (it stays
 * JDK-only; the Quarkus apps read typed mappings instead); blank values count as unset.
 */
public class EnvReader {
    private final Function<String, String> lookup;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Function<String, String> lookup) {
        this.lookup = lookup;
    }

    /** The value, stripped; {@code fallback} when unset or blank. */
    public String string(String name, String fallback) {
        String value = lookup.apply(name);
        return value == null || value.isBlank() ? fallback : value.strip();
    }

    /** A whole number within {@code min..max}; out of range or not a number is a problem (and the fallback). */
    public int integer(String name, int fallback, int min, int max) {
        String value = string(name, null);
        if (value == null) {
            return fallback;
        }
        try {
            int parsed = Integer.parseInt(value);
            if (parsed < min || parsed > max) {
                problems.add(name + "=" + value + " is outside " + min + ".." + max);
                return fallback;
            }
            return parsed;
        } catch (NumberFormatException e) {
            problems.add(name + "=" + value + " is not a whole number");
            return fallback;
        }
    }

    /** Every problem found so far, in order; callers add their own cross-setting checks. */
    public List<String> problems() {
        return problems;
    }
}
