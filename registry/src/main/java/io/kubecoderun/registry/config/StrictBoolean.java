package io.kubecoderun.registry.config;

import java.util.Locale;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * The one boolean grammar of every setting: {@code true/false}, {@code 1/0}, {@code yes/no}, {@code on/off}, in any
 * case; anything else stops the start, naming the variable and these values. (SmallRye's own converter reads every
 * unknown word, a typo included, as false.) The runner, which stays JDK-only, accepts the same words.
 */
public final class StrictBoolean implements Converter<Boolean> {
    /** Named in the refusal, so the operator sees what would have been accepted. */
    public static final String ACCEPTED = "true, false, 1, 0, yes, no, on, off";

    @Override
    public Boolean convert(String value) {
        return switch (value.strip().toLowerCase(Locale.ROOT)) {
            case "true", "1", "yes", "on" -> true;
            case "false", "0", "no", "off" -> false;
            default -> throw new IllegalArgumentException("'" + value + "' is not a boolean; use one of " + ACCEPTED);
        };
    }
}
