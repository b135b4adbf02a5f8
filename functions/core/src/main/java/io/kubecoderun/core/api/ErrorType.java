package io.kubecoderun.core.api;

/**
 * Every {@code error_type} of the public API's error body ({@code {"error", "error_type", "details"?,
 * "request_id"}}), so no route types the strings; {@link #wire()} is what travels. Clients branch on these, so a
 * rename is a contract change ({@code ErrorShapesTest} pins the list).
 */
public enum ErrorType {
    // 400: the request cannot be run as given.
    INVALID_REQUEST,
    UNSUPPORTED_LANGUAGE,
    EMPTY_CODE,
    INVALID_FILES,
    INVALID_TIMEOUT,
    INVALID_ENTITY_ID,
    INVALID_NAME,
    INVALID_KIND,
    INVALID_DETAIL,
    INVALID_STATE,
    UNSAFE_FILENAME,
    NO_FILES,
    NOT_AN_EVENT,
    UNSUPPORTED_EVENT,
    INVALID_TOOLS,
    INVALID_TOOL_RESULTS,
    INVALID_REQUEST_ID,
    // 401, 403, 404, 405, 409, 413, 415, 422, 429.
    UNAUTHORIZED,
    FORBIDDEN,
    ADMIN_DISABLED,
    NOT_FOUND,
    CONTINUATION_NOT_FOUND,
    METHOD_NOT_ALLOWED,
    REQUEST_ID_IN_USE,
    CANCELLED,
    KEY_LIMIT_REACHED,
    EXECUTION_PROFILE_MISMATCH,
    STATEFUL_WORKSPACE_UNSUPPORTED,
    TOO_LARGE,
    FILES_LIMIT_REACHED,
    UNSUPPORTED_MEDIA_TYPE,
    MALFORMED_REQUEST,
    RATE_LIMITED,
    // 503: worth a retry.
    NO_SANDBOX,
    SANDBOX_LOST,
    STORAGE_UNAVAILABLE,
    DEPENDENCY_UNAVAILABLE,
    // 500: a bug, logged with the request id.
    INTERNAL;

    /** The name on the wire, e.g. {@code sandbox_lost}. */
    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
