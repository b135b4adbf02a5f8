package io.kubecoderun.core.api;

/** Header names of the public API that more than one place writes or reads. */
public final class ApiHeaders {
    /** The id of an error answer, also in its body as {@code request_id}. */
    public static final String REQUEST_ID = "X-Request-Id";

    public static final String RETRY_AFTER = "Retry-After";
    public static final String API_KEY = "x-api-key";
    public static final String AUTHORIZATION = "Authorization";

    private ApiHeaders() {}
}
