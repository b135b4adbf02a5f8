package io.kubecoderun.exec.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.kubecoderun.exec.service.ExecResult;
import java.util.List;

/**
 * The {@code POST /exec} answer as it travels (API.md), also the data of the exec result event. Field names and
 * order are pinned by {@code ExecShapesTest}; LibreChat reads {@code files[].id}, {@code name},
 * {@code storage_session_id} and {@code session_id}, and drops from its session exactly the inputs
 * {@code deleted_files} names (absent when the run removed none).
 */
@JsonPropertyOrder({
    "session_id",
    "stdout",
    "stderr",
    "exit_code",
    "status",
    "execution_time_ms",
    "files",
    "deleted_files",
    "has_state",
    "state_size",
    "state_hash"
})
public record ExecResponse(
        @JsonProperty("session_id") String sessionId,
        String stdout,
        String stderr,
        @JsonProperty("exit_code") int exitCode,
        String status,
        @JsonProperty("execution_time_ms") long executionTimeMs,
        List<File> files,

        @JsonProperty("deleted_files") @JsonInclude(JsonInclude.Include.NON_EMPTY)
        List<String> deletedFiles,

        @JsonProperty("has_state") boolean hasState,
        @JsonProperty("state_size") long stateSize,
        @JsonProperty("state_hash") String stateHash) {

    /** One file the code created or changed; a changed input names the input it came from. */
    @JsonPropertyOrder({"id", "name", "path", "storage_session_id", "session_id", "modified_from"})
    public record File(
            String id,
            String name,
            String path,
            @JsonProperty("storage_session_id") String storageSessionId,
            @JsonProperty("session_id") String sessionId,

            @JsonProperty("modified_from") @JsonInclude(JsonInclude.Include.NON_NULL)
            ModifiedFrom modifiedFrom) {}

    @JsonPropertyOrder({"id", "storage_session_id"})
    public record ModifiedFrom(
            String id, @JsonProperty("storage_session_id") String storageSessionId) {}

    public static ExecResponse of(ExecResult result) {
        List<File> files = result.files().stream()
                .map(f -> new File(
                        f.id(),
                        f.name(),
                        f.path(),
                        f.sessionId(),
                        f.sessionId(),
                        f.modifiedFromId() == null
                                ? null
                                : new ModifiedFrom(f.modifiedFromId(), f.modifiedFromSessionId())))
                .toList();
        return new ExecResponse(
                result.sessionId(),
                result.stdout(),
                result.stderr(),
                result.exitCode(),
                result.status().wire(),
                result.executionTimeMs(),
                files,
                result.deletedFiles(),
                result.hasState(),
                result.stateSize(),
                result.stateHash());
    }
}
