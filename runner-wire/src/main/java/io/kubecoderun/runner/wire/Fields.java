package io.kubecoderun.runner.wire;

import java.util.Map;

/** Typed reads of JSON object fields with the runner's error vocabulary. */
final class Fields {
    private Fields() {}

    static String requiredString(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (value == null) {
            throw new WireException(RunnerError.MISSING_FIELD, "'" + name + "' is required");
        }
        if (!(value instanceof String s)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'" + name + "' must be a string");
        }
        return s;
    }

    static String optionalString(Map<String, Object> json, String name) {
        Object value = json.get(name);
        if (value == null) {
            return null;
        }
        if (!(value instanceof String s)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'" + name + "' must be a string");
        }
        return s;
    }

    static long optionalLong(Map<String, Object> json, String name, long fallback) {
        Object value = json.get(name);
        if (value == null) {
            return fallback;
        }
        if (value instanceof Long l) {
            return l;
        }
        if (value instanceof Double d && d == Math.rint(d) && !d.isInfinite()) {
            return d.longValue();
        }
        throw new WireException(RunnerError.INVALID_FIELD, "'" + name + "' must be an integer");
    }

    static boolean optionalBoolean(Map<String, Object> json, String name, boolean fallback) {
        Object value = json.get(name);
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Boolean b)) {
            throw new WireException(RunnerError.INVALID_FIELD, "'" + name + "' must be true or false");
        }
        return b;
    }
}
