package io.kubecoderun.runner.wire;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@code POST /execute} with {@code tools} and {@code POST /execute/continue} answer: either the program is
 * waiting on {@code toolCalls} ({@code {"status": "tool_call_required", "tool_calls": [...]}}, the process alive
 * and blocked on its tool channel), or it {@code finished} ({@code {"status": "completed", ...}} and the fields of
 * an {@link ExecuteResponse}).
 */
public record ProgrammaticAnswer(List<ToolCall> toolCalls, ExecuteResponse finished) {

    public static final String WAITING = "tool_call_required";
    public static final String COMPLETED = "completed";

    public ProgrammaticAnswer {
        if ((toolCalls == null) == (finished == null)) {
            throw new IllegalArgumentException("either tool calls or a finished execution");
        }
        toolCalls = toolCalls == null ? null : List.copyOf(toolCalls);
    }

    public static ProgrammaticAnswer waiting(List<ToolCall> calls) {
        return new ProgrammaticAnswer(calls, null);
    }

    public static ProgrammaticAnswer finished(ExecuteResponse response) {
        return new ProgrammaticAnswer(null, response);
    }

    public boolean isWaiting() {
        return toolCalls != null;
    }

    public Map<String, Object> toJson() {
        if (isWaiting()) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("status", WAITING);
            json.put("tool_calls", ToolCall.toJson(toolCalls));
            return json;
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("status", COMPLETED);
        json.putAll(finished.toJson());
        return json;
    }

    public static ProgrammaticAnswer fromJson(Map<String, Object> json) {
        Object status = json.get("status");
        if (WAITING.equals(status)) {
            return waiting(ToolCall.listFromJson(json.get("tool_calls")));
        }
        if (status != null && !COMPLETED.equals(status)) {
            throw new WireException(RunnerError.INVALID_FIELD, "unknown status " + status);
        }
        return finished(ExecuteResponse.fromJson(json));
    }
}
