package io.kubecoderun.runner;

import io.kubecoderun.runner.wire.RunnerError;

/**
 * Everything the runner answers with a non-2xx status, mapped to the wire in one place
 * ({@link io.kubecoderun.runner.http.Exchanges#sendError}). Failing user code is never one of these.
 */
public abstract sealed class RunnerException extends RuntimeException {
    private final RunnerError error;

    private RunnerException(RunnerError error, String message) {
        super(message);
        this.error = error;
    }

    public RunnerError error() {
        return error;
    }

    public abstract int status();

    /** 400: the request cannot be run as given (unknown language, blank code, unsafe path). */
    public static final class BadRequest extends RunnerException {
        public BadRequest(RunnerError error, String message) {
            super(error, message);
        }

        @Override
        public int status() {
            return 400;
        }
    }

    /** 404: no such file, or no such endpoint. */
    public static final class NotFound extends RunnerException {
        public NotFound(String message) {
            super(RunnerError.NOT_FOUND, message);
        }

        @Override
        public int status() {
            return 404;
        }
    }

    /** 405: the endpoint exists, the method does not. */
    public static final class MethodNotAllowed extends RunnerException {
        public MethodNotAllowed(String method) {
            super(RunnerError.METHOD_NOT_ALLOWED, method + " is not allowed here");
        }

        @Override
        public int status() {
            return 405;
        }
    }

    /** 409: claimed by another lease, already used, or busy with another execution. */
    public static final class Conflict extends RunnerException {
        public Conflict(RunnerError error, String message) {
            super(error, message);
        }

        @Override
        public int status() {
            return 409;
        }
    }

    /** 413: a body, file or state over its cap. */
    public static final class TooLarge extends RunnerException {
        public TooLarge(String message) {
            super(RunnerError.TOO_LARGE, message);
        }

        @Override
        public int status() {
            return 413;
        }
    }

    /** 422: a body that is not the JSON it must be. */
    public static final class Malformed extends RunnerException {
        public Malformed(String message) {
            super(RunnerError.MALFORMED_JSON, message);
        }

        @Override
        public int status() {
            return 422;
        }
    }

    /** 503: shutting down, or the machine refused something the runner needs (disk, cgroup); worth a retry. */
    public static final class Unavailable extends RunnerException {
        public Unavailable(RunnerError error, String message) {
            super(error, message);
        }

        @Override
        public int status() {
            return 503;
        }
    }
}
