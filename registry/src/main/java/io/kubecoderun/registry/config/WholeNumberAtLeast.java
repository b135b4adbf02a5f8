package io.kubecoderun.registry.config;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * A whole number (decimal digits, an optional sign) of at least {@code min}; anything else stops the start with a
 * message that the configuration layer prefixes with the variable's name.
 */
abstract class WholeNumberAtLeast implements Converter<Long> {
    private final long min;
    private final String hint;

    WholeNumberAtLeast(long min, String hint) {
        this.min = min;
        this.hint = hint;
    }

    @Override
    public Long convert(String value) {
        long parsed;
        try {
            parsed = Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + value + "' is not a whole number");
        }
        if (parsed < min) {
            throw new IllegalArgumentException("'" + value + "' must be a whole number of at least " + min + hint);
        }
        return parsed;
    }
}
