package io.kubecoderun.runner.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pins the runner's JSON records to the exact text the functions and the controller depend on (API.md, "The
 * runner"). A renamed or dropped field fails here before it fails in production.
 */
class WireConformanceTest {

    @Test
    void executeRequestReadsEveryField() {
        ExecuteRequest request = ExecuteRequest.fromJson(
                Json.parseObject("{\"lang\":\"PY\",\"code\":\"print(1)\",\"args\":[\"a\",2,true],\"timeout_ms\":1500,"
                        + "\"state\":\"AQID\",\"capture_state\":true,\"unknown_field\":{\"ignored\":1}}"));
        assertEquals("PY", request.lang());
        assertEquals("print(1)", request.code());
        assertEquals(List.of("a", "2", "true"), request.args());
        assertEquals(1500, request.timeoutMs());
        assertArrayEquals(new byte[] {1, 2, 3}, request.state());
        assertTrue(request.captureState());
    }

    @Test
    void executeRequestDefaultsAndIgnoresArgsThatAreNotAnArrayOfScalars() {
        for (String args : List.of("\"--flag\"", "{\"a\":1}", "[[\"nested\"]]", "null", "42")) {
            ExecuteRequest request =
                    ExecuteRequest.fromJson(Json.parseObject("{\"lang\":\"js\",\"code\":\"1\",\"args\":" + args + "}"));
            assertEquals(List.of(), request.args(), args);
            assertEquals(0, request.timeoutMs());
            assertNull(request.state());
            assertFalse(request.captureState());
        }
    }

    @Test
    void executeRequestRejectsMissingOrBlankCodeAndBadTypes() {
        assertEquals(
                "missing_field",
                assertThrows(WireException.class, () -> ExecuteRequest.fromJson(Json.parseObject("{\"code\":\"x\"}")))
                        .error()
                        .wire());
        assertEquals(
                "empty_code",
                assertThrows(
                                WireException.class,
                                () -> ExecuteRequest.fromJson(Json.parseObject("{\"lang\":\"py\",\"code\":\"  \\n\"}")))
                        .error()
                        .wire());
        assertEquals(
                "invalid_field",
                assertThrows(
                                WireException.class,
                                () -> ExecuteRequest.fromJson(Json.parseObject("{\"lang\":1,\"code\":\"x\"}")))
                        .error()
                        .wire());
        assertEquals(
                "invalid_field",
                assertThrows(
                                WireException.class,
                                () -> ExecuteRequest.fromJson(
                                        Json.parseObject("{\"lang\":\"py\",\"code\":\"x\",\"timeout_ms\":-1}")))
                        .error()
                        .wire());
        assertEquals(
                "invalid_state",
                assertThrows(
                                WireException.class,
                                () -> ExecuteRequest.fromJson(
                                        Json.parseObject("{\"lang\":\"py\",\"code\":\"x\",\"state\":\"%%\"}")))
                        .error()
                        .wire());
        assertEquals(
                "invalid_args",
                assertThrows(
                                WireException.class,
                                () -> ExecuteRequest.fromJson(
                                        Json.parseObject("{\"lang\":\"py\",\"code\":\"x\",\"args\":[\"a\\u0000b\"]}")))
                        .error()
                        .wire());
    }

    @Test
    void executeResponseWritesThePinnedShape() {
        ExecuteResponse response = new ExecuteResponse(
                1,
                "out\n",
                "err\n",
                false,
                12,
                new byte[] {9},
                List.of(new StateError("f", "module")),
                true,
                false,
                false,
                "py");
        assertEquals(
                "{\"exit_code\":1,\"stdout\":\"out\\n\",\"stderr\":\"err\\n\",\"timed_out\":false,"
                        + "\"execution_time_ms\":12,\"state\":\"CQ==\",\"state_errors\":[{\"name\":\"f\",\"reason\":\"module\"}],"
                        + "\"truncated\":true,\"stdout_truncated\":true,\"stderr_truncated\":false,\"oom_killed\":false,"
                        + "\"language\":\"py\"}",
                Json.write(response.toJson()));
        ExecuteResponse back = ExecuteResponse.fromJson(Json.parseObject(Json.write(response.toJson())));
        assertEquals(response.exitCode(), back.exitCode());
        assertArrayEquals(response.state(), back.state());
        assertEquals(response.stateErrors(), back.stateErrors());
        assertTrue(back.stdoutTruncated());
    }

    @Test
    void theListingTravelsOnlyWhenAskedFor() {
        ExecuteRequest asked =
                ExecuteRequest.fromJson(Json.parseObject("{\"lang\":\"py\",\"code\":\"x\",\"list_files\":true}"));
        assertTrue(asked.listFiles());
        assertTrue(ExecuteRequest.fromJson(Json.parseObject(Json.write(asked.toJson())))
                .listFiles());
        assertFalse(ExecuteRequest.fromJson(Json.parseObject("{\"lang\":\"py\",\"code\":\"x\"}"))
                .listFiles());
        assertFalse(new ExecuteRequest("py", "x", List.of(), 0, null, false)
                .toJson()
                .containsKey("list_files"));

        ExecuteResponse plain = new ExecuteResponse(0, "", "", false, 1, null, List.of(), false, false, false, "py");
        assertFalse(plain.toJson().containsKey("files"));
        assertEquals(
                null,
                ExecuteResponse.fromJson(Json.parseObject(Json.write(plain.toJson())))
                        .files());
        ExecuteResponse listed = plain.withFiles(List.of(new FileEntry("a/b.txt", 3, 5, "ab")), true);
        assertTrue(
                Json.write(listed.toJson())
                        .endsWith(
                                "\"files\":[{\"path\":\"a/b.txt\",\"size\":3,\"mtime_ms\":5,\"sha256\":\"ab\"}],\"files_truncated\":true}"));
        ExecuteResponse back = ExecuteResponse.fromJson(Json.parseObject(Json.write(listed.toJson())));
        assertEquals(listed.files(), back.files());
        assertTrue(back.filesTruncated());
        assertEquals(
                List.of(),
                ExecuteResponse.fromJson(Json.parseObject(
                                Json.write(plain.withFiles(List.of(), false).toJson())))
                        .files(),
                "an empty listing is not a missing one");
    }

    @Test
    void executeResponseLeavesStateOutWhenThereIsNone() {
        ExecuteResponse response = new ExecuteResponse(0, "", "", false, 1, null, List.of(), false, false, false, "c");
        assertFalse(response.toJson().containsKey("state"));
    }

    @Test
    void fileEntryStatusAndClaimShapes() {
        assertEquals(
                "{\"path\":\"a/b.txt\",\"size\":3,\"mtime_ms\":5,\"sha256\":\"ab\"}",
                Json.write(new FileEntry("a/b.txt", 3, 5, "ab").toJson()));
        assertEquals(
                new FileEntry("x", 1, 2, "cd"),
                FileEntry.fromJson(Json.parseObject("{\"path\":\"x\",\"size\":1,\"mtime_ms\":2,\"sha256\":\"cd\"}")));
        assertEquals(
                "{\"claimed\":true,\"lease_id\":\"L1\",\"pod_uid\":\"u\",\"pod_name\":\"p\",\"language\":\"py\","
                        + "\"used\":false,\"ready\":true}",
                Json.write(new RunnerStatus(true, "L1", "u", "p", "py", false, true).toJson()));
        assertEquals("L1", ClaimRequest.fromJson(Map.of("lease_id", "L1")).leaseId());
        assertThrows(WireException.class, () -> ClaimRequest.fromJson(Map.of("lease_id", " ")));
        assertThrows(WireException.class, () -> ClaimRequest.fromJson(Map.of("lease_id", "x".repeat(129))));
    }

    /** The error types callers decide on (the exec function retries elsewhere on a refused claim), as sent. */
    @Test
    void errorTypesAndHeaderNamesAsTheyTravel() {
        assertEquals("already_claimed", RunnerError.ALREADY_CLAIMED.wire());
        assertEquals("pod_mismatch", RunnerError.POD_MISMATCH.wire());
        assertEquals("invalid_args", RunnerError.INVALID_ARGS.wire());
        assertEquals(java.util.Optional.of(RunnerError.SHUTTING_DOWN), RunnerError.fromWire("shutting_down"));
        assertEquals(java.util.Optional.empty(), RunnerError.fromWire("SHUTTING_DOWN"), "wire names are lower case");
        assertEquals(java.util.Optional.empty(), RunnerError.fromWire(7));
        for (RunnerError error : RunnerError.values()) {
            assertEquals(java.util.Optional.of(error), RunnerError.fromWire(error.wire()));
        }
        assertEquals("X-Lease-Id", RunnerHeaders.LEASE_ID);
        assertEquals("X-Claim-Pod-Uid", RunnerHeaders.CLAIM_POD_UID);
    }
}
