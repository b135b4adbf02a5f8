package io.kubecoderun.exec.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.exec.service.ExecResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The {@code /exec} answer and the exec error event's data exactly as they travel (API.md): field names, order,
 * and which fields appear when. LibreChat reads {@code files[].id/name/storage_session_id/session_id}.
 */
class ExecShapesTest {
    private final ObjectMapper mapper = new ObjectMapper();

    @Test
    void aRunWithAnOutputAndAChangedInput() throws Exception {
        ExecResult result = new ExecResult(
                "S".repeat(21),
                "hi\n",
                "",
                0,
                ExecResult.Status.OK,
                12,
                List.of(
                        new ExecResult.OutputFile("F1", "out.csv", "/mnt/data/out.csv", "S".repeat(21), null, null),
                        new ExecResult.OutputFile(
                                "F2", "in.txt", "/mnt/data/in.txt", "S".repeat(21), "F0", "T".repeat(21))),
                List.of("gone.csv"),
                true,
                33,
                "abc");
        assertEquals(
                "{\"session_id\":\"SSSSSSSSSSSSSSSSSSSSS\",\"stdout\":\"hi\\n\",\"stderr\":\"\",\"exit_code\":0,"
                        + "\"status\":\"ok\",\"execution_time_ms\":12,\"files\":[{\"id\":\"F1\",\"name\":\"out.csv\","
                        + "\"path\":\"/mnt/data/out.csv\",\"storage_session_id\":\"SSSSSSSSSSSSSSSSSSSSS\","
                        + "\"session_id\":\"SSSSSSSSSSSSSSSSSSSSS\"},{\"id\":\"F2\",\"name\":\"in.txt\","
                        + "\"path\":\"/mnt/data/in.txt\",\"storage_session_id\":\"SSSSSSSSSSSSSSSSSSSSS\","
                        + "\"session_id\":\"SSSSSSSSSSSSSSSSSSSSS\",\"modified_from\":{\"id\":\"F0\","
                        + "\"storage_session_id\":\"TTTTTTTTTTTTTTTTTTTTT\"}}],\"deleted_files\":[\"gone.csv\"],"
                        + "\"has_state\":true,\"state_size\":33,"
                        + "\"state_hash\":\"abc\"}",
                mapper.writeValueAsString(ExecResponse.of(result)));
    }

    @Test
    void aTimeoutWithoutFilesOrStateOrDeletions() throws Exception {
        ExecResult result = new ExecResult(
                "s",
                "",
                "Execution timed out after 1 seconds\n",
                124,
                ExecResult.Status.TIMEOUT,
                1000,
                List.of(),
                List.of(),
                false,
                0,
                null);
        assertEquals(
                "{\"session_id\":\"s\",\"stdout\":\"\",\"stderr\":\"Execution timed out after 1 seconds\\n\","
                        + "\"exit_code\":124,\"status\":\"timeout\",\"execution_time_ms\":1000,\"files\":[],"
                        + "\"has_state\":false,\"state_size\":0,\"state_hash\":null}",
                mapper.writeValueAsString(ExecResponse.of(result)));
        assertEquals("error", ExecResult.Status.ERROR.wire());
    }

    @Test
    void aRefusedEventIsAnErrorEventNamingTheRequest() throws Exception {
        assertEquals(
                "{\"error\":\"no\",\"error_type\":\"unsupported_language\",\"request_event_id\":\"evt-1\"}",
                mapper.writeValueAsString(new ExecEvents.ErrorEventData("no", "unsupported_language", "evt-1")));
    }
}
