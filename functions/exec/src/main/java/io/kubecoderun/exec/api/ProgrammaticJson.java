package io.kubecoderun.exec.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.exec.service.ExecRequest;
import io.kubecoderun.exec.service.ProgrammaticAnswer;
import io.kubecoderun.runner.wire.ToolCall;
import io.kubecoderun.runner.wire.ToolResult;
import io.kubecoderun.runner.wire.WireException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The {@code /exec/programmatic} bodies as LibreChat's client sends them ({@code ProgrammaticToolCalling.ts},
 * {@code BashProgrammaticToolCalling.ts}) and the answers it reads. A start is {@code {code, tools, session_id?,
 * timeout?, files?, lang|language?}} — {@code tools} are the client's tool definitions, of which only {@code name}
 * matters here; {@code timeout} is milliseconds, as every LibreChat caller sends it (read as {@code /exec} reads
 * it). A continuation is
 * {@code {continuation_token, tool_results}}.
 */
public final class ProgrammaticJson {
    private ProgrammaticJson() {}

    /** What {@code X-LibreChat-Code-Request-ID} may be (the client sends a UUID). */
    private static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,127}");

    public static boolean isContinuation(Map<String, Object> json) {
        return json.containsKey("continuation_token");
    }

    public static ExecRequest start(Map<String, Object> json) {
        Object lang = json.get("lang") != null ? json.get("lang") : json.get("language");
        double timeoutSeconds = 0;
        Object timeout = json.get("timeout");
        if (timeout instanceof Number n) {
            if (n.doubleValue() < 0) {
                throw new ApiException.BadRequest(ErrorType.INVALID_TIMEOUT, "'timeout' must not be negative");
            }
            timeoutSeconds = ExecJson.timeoutSeconds(n.doubleValue());
        } else if (timeout != null) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TIMEOUT, "'timeout' must be a number of milliseconds");
        }
        return new ExecRequest(
                lang instanceof String s && !s.isBlank() ? s : "py",
                json.get("code") instanceof String c ? c : null,
                List.of(),
                ExecJson.string(json.get("session_id")),
                ExecJson.files(json),
                ExecJson.string(json.get("user_id")),
                ExecJson.string(json.get("entity_id")),
                timeoutSeconds);
    }

    /** The names of the request's tools (a definition is an object with a {@code name}; a bare name also does). */
    public static List<String> tools(Map<String, Object> json) {
        Object tools = json.get("tools");
        if (tools == null) {
            return List.of();
        }
        if (!(tools instanceof List<?> list)) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TOOLS, "'tools' must be an array of tool definitions");
        }
        List<String> names = new ArrayList<>();
        for (Object item : list) {
            Object name = item instanceof Map<?, ?> definition ? definition.get("name") : item;
            if (!(name instanceof String s) || s.isBlank() || s.length() > 256) {
                throw new ApiException.BadRequest(
                        ErrorType.INVALID_TOOLS, "each tool needs a 'name' of 1 to 256 characters");
            }
            names.add(s);
        }
        return names;
    }

    public static String token(Map<String, Object> json) {
        if (!(json.get("continuation_token") instanceof String token) || token.isBlank() || token.length() > 200) {
            throw new ApiException.BadRequest(ErrorType.INVALID_REQUEST, "'continuation_token' must be a token");
        }
        return token;
    }

    public static List<ToolResult> results(Map<String, Object> json) {
        try {
            return ToolResult.listFromJson(json.get("tool_results"));
        } catch (WireException e) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TOOL_RESULTS, e.getMessage());
        }
    }

    /** The request id header, checked; null when absent. */
    public static String requestId(String header) {
        if (header == null || header.isEmpty()) {
            return null;
        }
        if (!REQUEST_ID.matcher(header).matches()) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_REQUEST_ID, "the request id must be 1 to 128 of [A-Za-z0-9._:-]");
        }
        return header;
    }

    /** The answer as the client reads it. */
    public static Map<String, Object> answer(ProgrammaticAnswer answer, ObjectMapper mapper) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", answer.status().wire());
        switch (answer.status()) {
            case TOOL_CALL_REQUIRED -> {
                json.put("continuation_token", answer.continuationToken());
                json.put("tool_calls", ToolCall.toJson(answer.toolCalls()));
                json.put("session_id", answer.sessionId());
            }
            case COMPLETED -> {
                @SuppressWarnings("unchecked")
                Map<String, Object> result = mapper.convertValue(ExecResponse.of(answer.result()), Map.class);
                result.remove("status"); // /exec's ok|error|timeout; here the run's is "completed"
                json.putAll(result);
            }
            case ERROR -> {
                json.put("error", answer.error());
                if (answer.stderr() != null && !answer.stderr().isEmpty()) {
                    json.put("stderr", answer.stderr());
                }
                json.put("session_id", answer.sessionId());
            }
        }
        return json;
    }
}
