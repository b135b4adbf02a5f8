package io.kubecoderun.runner.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The caller's answer to one {@link ToolCall}: {@code result} (any JSON value) or, with {@code is_error}, the
 * {@code error_message} the program raises (Python) or prints to stderr with a non-zero status (bash).
 */
public record ToolResult(String callId, Object result, boolean isError, String errorMessage) {

    /** A failure the runner answers a call with itself (the call was malformed, unknown or over a limit). */
    public static ToolResult error(String message) {
        return new ToolResult(null, null, true, message);
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("call_id", callId);
        json.put("result", result);
        json.put("is_error", isError);
        if (errorMessage != null) {
            json.put("error_message", errorMessage);
        }
        return json;
    }

    /** {@code {"tool_results": [...]}}, the body of {@code POST /execute/continue}. */
    public static Map<String, Object> body(List<ToolResult> results) {
        List<Object> list = new ArrayList<>(results.size());
        for (ToolResult result : results) {
            list.add(result.toJson());
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("tool_results", list);
        return json;
    }

    /**
     * The {@code tool_results} of a body, lenient as LibreChat's client requires: {@code is_error} missing is
     * false, {@code error_message} may be absent; {@code call_id} is required and a string.
     */
    @SuppressWarnings("unchecked")
    public static List<ToolResult> listFromJson(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'tool_results' must be an array");
        }
        List<ToolResult> results = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> map)) {
                throw new WireException(RunnerError.INVALID_FIELD, "each tool result must be an object");
            }
            Map<String, Object> json = (Map<String, Object>) map;
            Object error = json.get("error_message");
            results.add(new ToolResult(
                    Fields.requiredString(json, "call_id"),
                    json.get("result"),
                    Boolean.TRUE.equals(json.get("is_error")),
                    error instanceof String s ? s : error == null ? null : String.valueOf(error)));
        }
        return results;
    }
}
