package io.kubecoderun.registry.config;

/** The number grammar of the converters: decimal digits with an optional sign, nothing else. */
final class WholeNumbers {
    private WholeNumbers() {
    }

    static long parse(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
    }
}
