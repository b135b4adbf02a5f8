package io.kubecoderun.core.ids;

import java.security.SecureRandom;
import java.util.regex.Pattern;

/**
 * Session, file, execution and request ids: 21-character nanoids over {@code [A-Za-z0-9_-]} whose first and last
 * characters are alphanumeric, so LibreChat's {@code ^[A-Za-z0-9_-]{21}$} accepts them and each is also a valid
 * Kubernetes label value. About 125 bits of randomness.
 */
public final class Ids {
    public static final int LENGTH = 21;
    private static final char[] ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-".toCharArray();
    private static final int ALPHANUMERIC = 62;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_-]{19}[A-Za-z0-9]");
    /** What clients may send: LibreChat's pattern, a little wider than what we generate. */
    private static final Pattern ACCEPTED = Pattern.compile("[A-Za-z0-9_-]{21}");

    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {}

    public static String next() {
        char[] id = new char[LENGTH];
        byte[] bytes = new byte[LENGTH];
        RANDOM.nextBytes(bytes);
        for (int i = 0; i < LENGTH; i++) {
            int range = i == 0 || i == LENGTH - 1 ? ALPHANUMERIC : ALPHABET.length;
            id[i] = ALPHABET[pick(bytes[i], range)];
        }
        return new String(id);
    }

    /** An unbiased index below {@code range} from one random byte (rejection sampling on a fresh byte if needed). */
    private static int pick(byte b, int range) {
        int value = b & 0xff;
        int limit = 256 - 256 % range;
        while (value >= limit) {
            value = RANDOM.nextInt(256);
        }
        return value % range;
    }

    /** True for ids this service generates. */
    public static boolean generated(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** True for ids a client may send (LibreChat's pattern). */
    public static boolean acceptable(String id) {
        return id != null && ACCEPTED.matcher(id).matches();
    }
}
