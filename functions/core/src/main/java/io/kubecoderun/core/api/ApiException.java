package io.kubecoderun.core.api;

import java.util.List;

/**
 * Every non-2xx answer of the public API, mapped to {@code {"error", "error_type", "details"?, "request_id"}} by
 * one mapper per app. Transient failures ({@link Unavailable}: 503 with Retry-After) are kept apart from the
 * caller's mistakes. Failing user code is never one of these: it is a 200 with the failure in stderr.
 */
public abstract sealed class ApiException extends RuntimeException {
    private final String errorType;
    private final List<String> details;

    private ApiException(ErrorType errorType, String message, List<String> details) {
        super(message);
        this.errorType = errorType.wire();
        this.details = List.copyOf(details);
    }

    public abstract int status();

    public String errorType() {
        return errorType;
    }

    public List<String> details() {
        return details;
    }

    /** Fields a client reads besides the common ones, placed before {@code request_id}; usually none. */
    public java.util.Map<String, Object> extra() {
        return java.util.Map.of();
    }

    public static final class BadRequest extends ApiException {
        public BadRequest(ErrorType errorType, String message, List<String> details) {
            super(errorType, message, details);
        }

        public BadRequest(ErrorType errorType, String message) {
            this(errorType, message, List.of());
        }

        @Override
        public int status() {
            return 400;
        }
    }

    public static final class Unauthorized extends ApiException {
        public Unauthorized(String message) {
            super(ErrorType.UNAUTHORIZED, message, List.of());
        }

        @Override
        public int status() {
            return 401;
        }
    }

    public static final class Forbidden extends ApiException {
        public Forbidden(ErrorType errorType, String message) {
            super(errorType, message, List.of());
        }

        @Override
        public int status() {
            return 403;
        }
    }

    public static final class Conflict extends ApiException {
        public Conflict(ErrorType errorType, String message) {
            super(errorType, message, List.of());
        }

        @Override
        public int status() {
            return 409;
        }
    }

    /**
     * The caller asserted an execution profile ({@code X-CodeAPI-Expected-Profile}) this deployment does not
     * provide. LibreChat reads {@code code} (before {@code error}) and turns it into a permanent capability error.
     */
    public static final class ProfileMismatch extends ApiException {
        private final String expected;
        private final String actual;

        public ProfileMismatch(String expected, String actual) {
            super(
                    ErrorType.EXECUTION_PROFILE_MISMATCH,
                    "this deployment provides the '" + actual + "' execution profile, not the one asserted",
                    List.of());
            this.expected = expected;
            this.actual = actual;
        }

        @Override
        public java.util.Map<String, Object> extra() {
            java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
            extra.put("code", errorType());
            extra.put("expected_profile", expected);
            extra.put("actual_profile", actual);
            return extra;
        }

        @Override
        public int status() {
            return 409;
        }
    }

    /**
     * The request needs a capability this deployment lacks (LibreChat's attached workspaces: a persistent project
     * per agent). As for {@link ProfileMismatch}, {@code code} makes the client report a permanent mismatch.
     */
    public static final class CapabilityUnsupported extends ApiException {
        public CapabilityUnsupported(ErrorType errorType, String message) {
            super(errorType, message, List.of());
        }

        @Override
        public java.util.Map<String, Object> extra() {
            return java.util.Map.of("code", errorType());
        }

        @Override
        public int status() {
            return 409;
        }
    }

    public static final class NotFound extends ApiException {
        public NotFound(String message) {
            super(ErrorType.NOT_FOUND, message, List.of());
        }

        public NotFound(ErrorType errorType, String message) {
            super(errorType, message, List.of());
        }

        @Override
        public int status() {
            return 404;
        }
    }

    public static final class TooLarge extends ApiException {
        public TooLarge(String message) {
            super(ErrorType.TOO_LARGE, message, List.of());
        }

        @Override
        public int status() {
            return 413;
        }
    }

    /** An upload with more files than one request may carry; refused whole, before anything is stored. */
    public static final class FilesLimitReached extends ApiException {
        private final int maxFiles;

        public FilesLimitReached(int maxFiles) {
            super(ErrorType.FILES_LIMIT_REACHED, "too many files: one upload may carry at most " + maxFiles, List.of());
            this.maxFiles = maxFiles;
        }

        @Override
        public java.util.Map<String, Object> extra() {
            java.util.Map<String, Object> extra = new java.util.LinkedHashMap<>();
            extra.put("filesLimitReached", true);
            extra.put("maxFiles", maxFiles);
            return extra;
        }

        @Override
        public int status() {
            return 413;
        }
    }

    public static final class Unprocessable extends ApiException {
        public Unprocessable(String message) {
            super(ErrorType.MALFORMED_REQUEST, message, List.of());
        }

        @Override
        public int status() {
            return 422;
        }
    }

    public static final class RateLimited extends ApiException {
        private final long retryAfterSeconds;

        public RateLimited(long retryAfterSeconds) {
            super(ErrorType.RATE_LIMITED, "rate_limited", List.of());
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        @Override
        public int status() {
            return 429;
        }
    }

    /** A dependency (registry, store, sandboxes) is down or exhausted: retry later. */
    public static final class Unavailable extends ApiException {
        private final long retryAfterSeconds;

        public Unavailable(ErrorType errorType, String message, long retryAfterSeconds) {
            super(errorType, message, List.of());
            this.retryAfterSeconds = retryAfterSeconds;
        }

        public long retryAfterSeconds() {
            return retryAfterSeconds;
        }

        @Override
        public int status() {
            return 503;
        }
    }
}
