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
 */
public record ExecuteRequest(
        String lang,
        String code,
        List<String> args,
        long timeoutMs,
        byte[] state,
        boolean captureState,
        boolean listFiles) {

    public ExecuteRequest {
        args = List.copyOf(args);
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
                Fields.optionalBoolean(json, "list_files", false));
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
        return json;
    }
}
