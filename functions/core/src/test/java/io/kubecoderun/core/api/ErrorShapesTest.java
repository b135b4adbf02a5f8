package io.kubecoderun.core.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The error body and the error types exactly as clients read them (API.md, "Errors"). */
class ErrorShapesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aRefusalCarriesItsTypeAndRequestIdAndDetailsOnlyWhenThereAreSome() throws Exception {
        assertEquals(
                "{\"error\":\"unknown language 'cobol'\",\"error_type\":\"unsupported_language\","
                        + "\"request_id\":\"r1\"}",
                mapper.writeValueAsString(
                        new ErrorBody("unknown language 'cobol'", "unsupported_language", List.of(), null, "r1")));
        assertEquals(
                "{\"error\":\"bad\",\"error_type\":\"invalid_files\",\"details\":[\"a\",\"b\"],"
                        + "\"request_id\":\"r2\"}",
                mapper.writeValueAsString(new ErrorBody("bad", "invalid_files", List.of("a", "b"), null, "r2")));
    }

    @Test
    void aRateLimitSaysHowLongToWait() throws Exception {
        assertEquals(
                "{\"error\":\"rate_limited\",\"error_type\":\"rate_limited\",\"retry_after_seconds\":10,"
                        + "\"request_id\":\"r3\"}",
                mapper.writeValueAsString(new ErrorBody("rate_limited", "rate_limited", List.of(), 10L, "r3")));
    }

    @Test
    void theErrorTypesAreTheOnesClientsBranchOn() {
        assertEquals(
                List.of(
                        "invalid_request",
                        "unsupported_language",
                        "empty_code",
                        "invalid_files",
                        "invalid_timeout",
                        "invalid_entity_id",
                        "invalid_name",
                        "invalid_kind",
                        "invalid_detail",
                        "invalid_state",
                        "unsafe_filename",
                        "no_files",
                        "not_an_event",
                        "unsupported_event",
                        "invalid_tools",
                        "invalid_tool_results",
                        "invalid_request_id",
                        "unauthorized",
                        "forbidden",
                        "admin_disabled",
                        "not_found",
                        "continuation_not_found",
                        "method_not_allowed",
                        "request_id_in_use",
                        "cancelled",
                        "key_limit_reached",
                        "execution_profile_mismatch",
                        "stateful_workspace_unsupported",
                        "too_large",
                        "files_limit_reached",
                        "unsupported_media_type",
                        "malformed_request",
                        "rate_limited",
                        "no_sandbox",
                        "sandbox_lost",
                        "storage_unavailable",
                        "dependency_unavailable",
                        "internal"),
                Arrays.stream(ErrorType.values()).map(ErrorType::wire).toList());
        assertEquals("sandbox_lost", new ApiException.Unavailable(ErrorType.SANDBOX_LOST, "lost", 1).errorType());
        assertEquals("rate_limited", new ApiException.RateLimited(3).errorType());
    }
}
