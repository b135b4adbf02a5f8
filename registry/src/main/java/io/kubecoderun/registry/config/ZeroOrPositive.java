package io.kubecoderun.registry.config;

import org.eclipse.microprofile.config.spi.Converter;

/** A whole number of at least 0, where the README documents {@code 0} as the off switch. */
public final class ZeroOrPositive implements Converter<Long> {
    @Override
    public Long convert(String value) {
        long parsed = WholeNumbers.parse(value);
        if (parsed < 0) {
            throw new IllegalArgumentException("'" + value + "' must be a whole number of at least 0 (0: off)");
        }
        return parsed;
    }
}
