package io.kubecoderun.runner.wire;

import java.util.Optional;

/**
 * Every {@code error_type} the runner answers with, in its body {@code {"error", "error_type"}}; the runner
 * raises them and its callers decide on them, so neither side types the strings.
 */
public enum RunnerError {
    // 400: the request cannot be run as given.
    MISSING_FIELD,
    INVALID_FIELD,
    EMPTY_CODE,
    INVALID_STATE,
    INVALID_ARGS,
    INVALID_HEADER,
    INVALID_LEASE,
    INVALID_PATH,
    UNSUPPORTED_LANGUAGE,
    LANGUAGE_UNAVAILABLE,
    INVALID_TOOLS,
    UNKNOWN_CALL_ID,
    // 404, 405, 413, 422.
    NOT_FOUND,
    METHOD_NOT_ALLOWED,
    TOO_LARGE,
    MALFORMED_JSON,
    // 409: claimed by another lease, another pod, already used, or busy.
    ALREADY_CLAIMED,
    POD_MISMATCH,
    LEASE_MISMATCH,
    ALREADY_USED,
    BUSY,
    // 409 on continue/cancel: no programmatic execution is waiting here (it finished, expired or never began).
    NOT_WAITING,
    // 503: worth a retry elsewhere.
    SHUTTING_DOWN,
    INTERNAL;

    /** The name on the wire, e.g. {@code already_claimed}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static Optional<RunnerError> fromWire(Object type) {
        if (!(type instanceof String s)) {
            return Optional.empty();
        }
        for (RunnerError error : values()) {
            if (error.wire().equals(s)) {
                return Optional.of(error);
            }
        }
        return Optional.empty();
    }
}
