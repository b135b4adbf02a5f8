package io.kubecoderun.registry.config;

import org.eclipse.microprofile.config.spi.Converter;

/** A whole number of at least 1 (a size, a count, a duration in its unit); anything else stops the start. */
public final class Positive implements Converter<Long> {
    @Override
    public Long convert(String value) {
        long parsed = WholeNumbers.parse(value);
        if (parsed < 1) {
            throw new IllegalArgumentException("'" + value + "' must be a whole number of at least 1");
        }
        return parsed;
    }
}
