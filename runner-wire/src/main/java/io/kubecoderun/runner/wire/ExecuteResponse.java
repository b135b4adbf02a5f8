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
 * {@code files} (with {@code files_truncated}) is the working directory after the run, as {@code GET /files}
 * lists it, when the request asked for it ({@code list_files}); null otherwise.
 */
public record ExecuteResponse(
        int exitCode,
        String stdout,
        String stderr,
        boolean timedOut,
        long executionTimeMs,
        byte[] state,
        List<StateError> stateErrors,
        boolean stdoutTruncated,
        boolean stderrTruncated,
        boolean oomKilled,
        String language,
        List<FileEntry> files,
        boolean filesTruncated) {

    public ExecuteResponse {
        stateErrors = List.copyOf(stateErrors);
        files = files == null ? null : List.copyOf(files);
    }

    public ExecuteResponse(
            int exitCode,
            String stdout,
            String stderr,
            boolean timedOut,
            long executionTimeMs,
            byte[] state,
            List<StateError> stateErrors,
            boolean stdoutTruncated,
            boolean stderrTruncated,
            boolean oomKilled,
            String language) {
        this(
                exitCode,
                stdout,
                stderr,
                timedOut,
                executionTimeMs,
                state,
                stateErrors,
                stdoutTruncated,
                stderrTruncated,
                oomKilled,
                language,
                null,
                false);
    }

    public ExecuteResponse withFiles(List<FileEntry> listed, boolean truncated) {
        return new ExecuteResponse(
                exitCode,
                stdout,
                stderr,
                timedOut,
                executionTimeMs,
                state,
                stateErrors,
                stdoutTruncated,
                stderrTruncated,
                oomKilled,
                language,
                listed,
                truncated);
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
        if (files != null) {
            json.put("files", FileEntry.toJson(files));
            json.put("files_truncated", filesTruncated);
        }
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
        List<FileEntry> files = json.get("files") instanceof List<?> list ? FileEntry.listFromJson(list) : null;
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
                Fields.optionalString(json, "language"),
                files,
                Fields.optionalBoolean(json, "files_truncated", false));
    }
}
