package io.kubecoderun.exec.service;

import java.util.List;

/**
 * A parsed {@code POST /exec} body (API.md). {@code timeoutSeconds} is 0 when the caller named none; inputs
 * carry the session of the stored file (older clients' {@code session_id} or newer {@code storage_session_id}).
 */
public record ExecRequest(
        String lang,
        String code,
        List<String> args,
        String sessionId,
        List<InputFile> files,
        String userId,
        String entityId,
        double timeoutSeconds) {

    public ExecRequest {
        args = args == null ? List.of() : List.copyOf(args);
        files = files == null ? List.of() : List.copyOf(files);
    }

    /** One input to mount in {@code /mnt/data}: the stored file and the name it gets there. */
    public record InputFile(String id, String sessionId, String name) {}
}
