package io.kubecoderun.runner.wire;

import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /execute} answer. Failing user code is an ordinary answer: non-zero {@code exit_code}, message in
 * {@code stderr}. {@code truncated} is true when either stream hit the cap ({@code stdout_truncated} and
 * {@code stderr_truncated} say which). {@code state} (base64 of raw cloudpickle bytes) is present only when the
 * caller asked for it and the program left something to keep. {@code oom_killed} says the memory limit ended it.
 */
public record ExecuteResponse(int exitCode, String stdout, String stderr, boolean timedOut, long executionTimeMs,
                              byte[] state, List<StateError> stateErrors, boolean stdoutTruncated,
                              boolean stderrTruncated, boolean oomKilled, String language) {

    public ExecuteResponse {
        stateErrors = List.copyOf(stateErrors);
    }

    public boolean truncated() {
        return stdoutTruncated || stderrTruncated;
    }

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("exit_code", exitCode);
        json.put("stdout", stdout);
        json.put("stderr", stderr);
        json.put("timed_out", timedOut);
        json.put("execution_time_ms", executionTimeMs);
        if (state != null) {
            json.put("state", Base64.getEncoder().encodeToString(state));
        }
        List<Object> errors = new ArrayList<>();
        for (StateError e : stateErrors) {
            errors.add(e.toJson());
        }
        json.put("state_errors", errors);
        json.put("truncated", truncated());
        json.put("stdout_truncated", stdoutTruncated);
        json.put("stderr_truncated", stderrTruncated);
        json.put("oom_killed", oomKilled);
        json.put("language", language);
        return json;
    }

    @SuppressWarnings("unchecked")
    public static ExecuteResponse fromJson(Map<String, Object> json) {
        String encoded = Fields.optionalString(json, "state");
        List<StateError> errors = new ArrayList<>();
        if (json.get("state_errors") instanceof List<?> list) {
            for (Object item : list) {
                errors.add(StateError.fromJson((Map<String, Object>) item));
            }
        }
        return new ExecuteResponse(
                (int) Fields.optionalLong(json, "exit_code", -1),
                Fields.requiredString(json, "stdout"),
                Fields.requiredString(json, "stderr"),
                Fields.optionalBoolean(json, "timed_out", false),
                Fields.optionalLong(json, "execution_time_ms", 0),
                encoded == null ? null : Base64.getDecoder().decode(encoded),
                errors,
                Fields.optionalBoolean(json, "stdout_truncated", false),
                Fields.optionalBoolean(json, "stderr_truncated", false),
                Fields.optionalBoolean(json, "oom_killed", false),
                Fields.optionalString(json, "language"));
    }
}
