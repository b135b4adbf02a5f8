package io.kubecoderun.runner.wire;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A tool call the running program made and waits on: {@code id} (unique within the execution), the tool's
 * {@code name} as the request listed it (not the program's identifier), and its {@code input}: a JSON object when
 * the program passed one (Python keyword arguments always are), else the text the program passed.
 */
public record ToolCall(String id, String name, Object input) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("id", id);
        json.put("name", name);
        json.put("input", input);
        return json;
    }

    public static List<Object> toJson(List<ToolCall> calls) {
        List<Object> list = new ArrayList<>(calls.size());
        for (ToolCall call : calls) {
            list.add(call.toJson());
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    public static List<ToolCall> listFromJson(Object value) {
        if (!(value instanceof List<?> list)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'tool_calls' must be an array");
        }
        List<ToolCall> calls = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof Map<?, ?> map)) {
                throw new WireException(RunnerError.INVALID_FIELD, "each tool call must be an object");
            }
            Map<String, Object> json = (Map<String, Object>) map;
            calls.add(new ToolCall(
                    Fields.requiredString(json, "id"), Fields.requiredString(json, "name"), json.get("input")));
        }
        return calls;
    }
}
