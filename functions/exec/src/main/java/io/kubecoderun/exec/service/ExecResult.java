package io.kubecoderun.exec.service;

import java.util.List;

/**
 * The answer of {@code POST /exec} (API.md): output, exit status, the files the code created or changed (each
 * downloadable at {@code /download/{session_id}/{id}}), the inputs it removed (by the names the request mounted
 * them under) and what was kept of the Python state.
 */
public record ExecResult(
        String sessionId,
        String stdout,
        String stderr,
        int exitCode,
        Status status,
        long executionTimeMs,
        List<OutputFile> files,
        List<String> deletedFiles,
        boolean hasState,
        long stateSize,
        String stateHash) {

    /** How the program ended; failing user code is a result, never an API error. */
    public enum Status {
        OK,
        ERROR,
        TIMEOUT;

        /** {@code ok}, {@code error} or {@code timeout}, as the response and the metrics' label carry it. */
        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public record OutputFile(
            String id,
            String name,
            String path,
            String sessionId,
            String modifiedFromId,
            String modifiedFromSessionId) {}
}
