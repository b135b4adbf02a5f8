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
 * session as {@code session_id} (older) or {@code storage_session_id} (newer).
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
                throw new ApiException.BadRequest(ErrorType.INVALID_TIMEOUT, "'timeout' must be a number of seconds");
            }
        }
        if (timeout < 0) {
            throw new ApiException.BadRequest(ErrorType.INVALID_TIMEOUT, "'timeout' must not be negative");
        }
        return new ExecRequest(
                string(json.get("lang")),
                json.get("code") instanceof String c ? c : null,
                args,
                string(json.get("session_id")),
                files,
                string(json.get("user_id")),
                string(json.get("entity_id")),
                timeout);
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

    static String string(Object value) {
        return value instanceof String s && !s.isBlank() ? s : null;
    }
}
