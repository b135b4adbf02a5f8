package io.kubecoderun.runner.wire;

/** A request body that parsed as JSON but does not fit the record it must become; answered with 400. */
public final class WireException extends RuntimeException {
    private final RunnerError error;

    public WireException(RunnerError error, String message) {
        super(message);
        this.error = error;
    }

    public RunnerError error() {
        return error;
    }
}
