package io.kubecoderun.exec.api;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.exec.service.ExecRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code /exec} request as API.md defines it (the answer is {@link ExecResponse}), lenient on input as LibreChat's generations require:
 * unknown fields are ignored, {@code args} that is not an array of scalars is ignored, inputs may name their
 * session as {@code session_id} (older) or {@code storage_session_id} (newer), {@code timeout} is milliseconds
 * (below 1000, seconds; see {@link #timeoutSeconds}).
 */
public final class ExecJson {
    private ExecJson() {}

    public static ExecRequest request(Map<String, Object> json) {
        List<String> args = new ArrayList<>();
        if (json.get("args") instanceof List<?> list) {
            for (Object item : list) {
                if (item instanceof String || item instanceof Number || item instanceof Boolean) {
                    args.add(String.valueOf(item));
                } else {
                    args = List.of();
                    break;
                }
            }
        }
        List<ExecRequest.InputFile> files = files(json);
        double timeout = 0;
        Object t = json.get("timeout");
        if (t instanceof Number n) {
            timeout = n.doubleValue();
        } else if (t instanceof String s && !s.isBlank()) {
            try {
                timeout = Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw new ApiException.BadRequest(
                        ErrorType.INVALID_TIMEOUT, "'timeout' must be a number of milliseconds");
            }
        }
        if (timeout < 0 || !Double.isFinite(timeout)) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TIMEOUT, "'timeout' must be a non-negative number");
        }
        return new ExecRequest(
                string(json.get("lang")),
                json.get("code") instanceof String c ? c : null,
                args,
                string(json.get("session_id")),
                files,
                string(json.get("user_id")),
                string(json.get("entity_id")),
                timeoutSeconds(timeout));
    }

    /** The {@code files} of a request: inputs to mount, each {@code {id, name, session_id | storage_session_id}}. */
    static List<ExecRequest.InputFile> files(Map<String, Object> json) {
        List<ExecRequest.InputFile> files = new ArrayList<>();
        if (json.get("files") instanceof List<?> list) {
            for (Object item : list) {
                if (!(item instanceof Map<?, ?> file)) {
                    throw new ApiException.BadRequest(
                            ErrorType.INVALID_FILES, "each entry of 'files' must be an object");
                }
                String id = string(file.get("id"));
                String session = string(file.get("storage_session_id"));
                if (session == null) {
                    session = string(file.get("session_id"));
                }
                String name = string(file.get("name"));
                if (id == null || name == null) {
                    throw new ApiException.BadRequest(ErrorType.INVALID_FILES, "each file needs 'id' and 'name'");
                }
                files.add(new ExecRequest.InputFile(id, session, name));
            }
        }
        return files;
    }

    /**
     * {@code timeout} is milliseconds, as every LibreChat caller sends it (tool search 5000, programmatic runs 1000
     * to 300000; none sends less than 1000). A value below {@value #SECONDS_BELOW} is seconds: this API's first
     * contract read {@code timeout} as seconds, and such callers send 30 or 120, never a timeout under a second.
     */
    static double timeoutSeconds(double timeout) {
        return timeout >= SECONDS_BELOW ? timeout / 1000 : timeout;
    }

    /** Values from here up are milliseconds, below it seconds. */
    static final int SECONDS_BELOW = 1000;

    static String string(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }
}
