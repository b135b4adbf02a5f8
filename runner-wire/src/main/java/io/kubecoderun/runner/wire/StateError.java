package io.kubecoderun.runner.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/** One name the Python state could not keep (a module, an unpicklable value) or a state that failed to load. */
public record StateError(String name, String reason) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("reason", reason);
        return json;
    }

    public static StateError fromJson(Map<String, Object> json) {
        return new StateError(Fields.requiredString(json, "name"), Fields.requiredString(json, "reason"));
    }
}
