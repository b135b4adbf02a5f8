package io.kubecoderun.core.store;

/** A store operation failed; {@link Unavailable} (503 with Retry-After) apart from the caller's own mistakes. */
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

    /** The backing service failed or cannot be reached: 503. */
    public static final class Unavailable extends StoreException {
        public Unavailable(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
