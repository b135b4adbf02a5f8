package io.kubecoderun.exec.service;

import io.kubecoderun.runner.wire.ToolCall;
import java.util.List;

/**
 * What {@code POST /exec/programmatic} answers (always HTTP 200): the program waits on {@code toolCalls} (continue
 * with {@code continuationToken}), it {@code completed} (its {@code result}, as {@code /exec} would answer), or it
 * ended in an {@code error} the client reports as such (the time limit, the memory limit, a cancel, a limit of this
 * API), with whatever it wrote to stderr.
 */
public record ProgrammaticAnswer(
        Status status,
        String sessionId,
        String continuationToken,
        List<ToolCall> toolCalls,
        ExecResult result,
        String error,
        String stderr) {

    public enum Status {
        TOOL_CALL_REQUIRED,
        COMPLETED,
        ERROR;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    static ProgrammaticAnswer waiting(String sessionId, String token, List<ToolCall> calls) {
        return new ProgrammaticAnswer(Status.TOOL_CALL_REQUIRED, sessionId, token, calls, null, null, null);
    }

    static ProgrammaticAnswer completed(ExecResult result) {
        return new ProgrammaticAnswer(Status.COMPLETED, result.sessionId(), null, null, result, null, null);
    }

    static ProgrammaticAnswer error(String sessionId, String error, String stderr) {
        return new ProgrammaticAnswer(Status.ERROR, sessionId, null, null, null, error, stderr);
    }
}
