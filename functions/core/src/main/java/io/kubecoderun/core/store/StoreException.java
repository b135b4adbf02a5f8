package io.kubecoderun.core.store;

/**
 * A store operation refused for what was asked (absent, too large); a store that cannot be reached is a
 * {@link io.kubecoderun.registry.DependencyUnavailableException} instead (503 with Retry-After).
 */
public sealed class StoreException extends RuntimeException {
    StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The data is over its cap: 413. */
    public static final class TooLarge extends StoreException {
        private final long limit;

        public TooLarge(long limit) {
            super("larger than the limit of " + limit + " bytes", null);
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** No such object: 404. */
    public static final class NotFound extends StoreException {
        public NotFound(String key) {
            super("no object " + key, null);
        }
    }
}
