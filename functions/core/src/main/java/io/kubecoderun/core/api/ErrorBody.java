package io.kubecoderun.core.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The body of every error answer (API.md): {@code {"error", "error_type", "details"?, "retry_after_seconds"?,
 * "request_id"}}, {@code retry_after_seconds} on 429 only. Pinned by {@code ErrorShapesTest}.
 */
@JsonPropertyOrder({"error", "error_type", "details", "retry_after_seconds", "request_id"})
public record ErrorBody(
        String error,
        @JsonProperty("error_type") String errorType,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> details,

        @JsonProperty("retry_after_seconds") @JsonInclude(JsonInclude.Include.NON_NULL)
        Long retryAfterSeconds,

        @JsonProperty("request_id") String requestId) {}
