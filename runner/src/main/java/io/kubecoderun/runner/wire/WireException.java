package io.kubecoderun.runner.wire;

/** A request body that parsed as JSON but does not fit the record it must become; answered with 400. */
public final class WireException extends RuntimeException {
    private final String errorType;

    public WireException(String errorType, String message) {
        super(message);
        this.errorType = errorType;
    }

    public String errorType() {
        return errorType;
    }
}
