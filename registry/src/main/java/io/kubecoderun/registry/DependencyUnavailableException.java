package io.kubecoderun.registry;

/**
 * A backing service (Redis, object storage, the data directory's disk) failed, refused or did not answer in time:
 * transient, answered 503 with Retry-After, never confused with a missing session or file. Defined with the
 * registry, the lowest module that talks to one; the stores of {@code functions/core} raise it too.
 */
public final class DependencyUnavailableException extends RuntimeException {
    public DependencyUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
