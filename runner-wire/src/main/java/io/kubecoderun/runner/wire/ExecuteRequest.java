package io.kubecoderun.runner.wire;

import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

/**
 * {@code POST /execute} body: {@code {lang, code, args?, timeout_ms?, state?, capture_state?, list_files?}}.
 *
 * <p>{@code args} that is an array of scalars becomes argv (numbers and booleans as text); any other JSON value is
 * ignored, as the public API promises. {@code state} is base64 of raw cloudpickle bytes (the caller decompresses).
 * {@code timeoutMs} is 0 when the caller left it to the runner's default. {@code listFiles} asks for the working
 * directory's listing (as {@code GET /files} gives it) in the answer, saving the caller that round trip.
 *
 * <p>{@code tools} (names as the caller's tools are called; may be empty) makes it a programmatic execution: the
 * program gets each tool as a function ({@link io.kubecoderun.runner.lang.ToolNames}) and the answer is a
 * {@link ProgrammaticAnswer}; null for an ordinary execution. {@code tool_wait_ms} is how long its program may wait
 * for tool results before it is stopped (0: {@link #DEFAULT_TOOL_WAIT_MS}).
 */
public record ExecuteRequest(
        String lang,
        String code,
        List<String> args,
        long timeoutMs,
        byte[] state,
        boolean captureState,
        boolean listFiles,
        List<String> tools,
        long toolWaitMs) {

    /** How long a programmatic execution waits for tool results when the request does not say. */
    public static final long DEFAULT_TOOL_WAIT_MS = 300_000;

    public ExecuteRequest {
        args = List.copyOf(args);
        tools = tools == null ? null : List.copyOf(tools);
    }

    public ExecuteRequest(
            String lang,
            String code,
            List<String> args,
            long timeoutMs,
            byte[] state,
            boolean captureState,
            boolean listFiles) {
        this(lang, code, args, timeoutMs, state, captureState, listFiles, null, 0);
    }

    /** The tool wait this request asks for, or the default. */
    public long effectiveToolWaitMs() {
        return toolWaitMs > 0 ? toolWaitMs : DEFAULT_TOOL_WAIT_MS;
    }

    /** Whether this is a programmatic execution (its program may call tools). */
    public boolean programmatic() {
        return tools != null;
    }

    public ExecuteRequest(
            String lang, String code, List<String> args, long timeoutMs, byte[] state, boolean captureState) {
        this(lang, code, args, timeoutMs, state, captureState, false);
    }

    public static ExecuteRequest fromJson(Map<String, Object> json) {
        String lang = Fields.requiredString(json, "lang");
        String code = Fields.requiredString(json, "code");
        if (code.isBlank()) {
            throw new WireException(RunnerError.EMPTY_CODE, "'code' must not be blank");
        }
        long timeoutMs = Fields.optionalLong(json, "timeout_ms", 0);
        if (timeoutMs < 0) {
            throw new WireException(RunnerError.INVALID_FIELD, "'timeout_ms' must not be negative");
        }
        byte[] state = null;
        String encoded = Fields.optionalString(json, "state");
        if (encoded != null && !encoded.isEmpty()) {
            try {
                state = Base64.getDecoder().decode(encoded);
            } catch (IllegalArgumentException e) {
                throw new WireException(RunnerError.INVALID_STATE, "'state' must be base64");
            }
        }
        boolean captureState = Fields.optionalBoolean(json, "capture_state", false);
        return new ExecuteRequest(
                lang,
                code,
                argv(json.get("args")),
                timeoutMs,
                state,
                captureState,
                Fields.optionalBoolean(json, "list_files", false),
                tools(json.get("tools")),
                Math.max(0, Fields.optionalLong(json, "tool_wait_ms", 0)));
    }

    private static List<String> tools(Object value) {
        if (value == null) {
            return null;
        }
        if (!(value instanceof List<?> list)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'tools' must be an array of names");
        }
        List<String> names = new ArrayList<>(list.size());
        for (Object item : list) {
            if (!(item instanceof String name) || name.isEmpty()) {
                throw new WireException(RunnerError.INVALID_FIELD, "each tool must be a non-empty name");
            }
            names.add(name);
        }
        return names;
    }

    private static List<String> argv(Object args) {
        List<String> argv = new ArrayList<>();
        if (!(args instanceof List<?> list)) {
            return argv;
        }
        for (Object item : list) {
            if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                String arg = String.valueOf(item);
                if (arg.indexOf('\0') >= 0) {
                    throw new WireException(RunnerError.INVALID_ARGS, "arguments cannot contain NUL characters");
                }
                argv.add(arg);
            } else {
                return List.of(); // not an array of scalars: ignored as a whole, like any other value
            }
        }
        return argv;
    }

    public Map<String, Object> toJson() {
        var json = new java.util.LinkedHashMap<String, Object>();
        json.put("lang", lang);
        json.put("code", code);
        json.put("args", args);
        if (timeoutMs > 0) {
            json.put("timeout_ms", timeoutMs);
        }
        if (state != null) {
            json.put("state", Base64.getEncoder().encodeToString(state));
        }
        json.put("capture_state", captureState);
        if (listFiles) {
            json.put("list_files", true);
        }
        if (tools != null) {
            json.put("tools", tools);
            if (toolWaitMs > 0) {
                json.put("tool_wait_ms", toolWaitMs);
            }
        }
        return json;
    }
}
