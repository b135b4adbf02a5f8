package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The single-use claim. The failure it prevents: a registry glitch hands one warm pod to two requests, and the
 * second runs its code in a sandbox the first one's code could tamper with.
 */
class ClaimIT {
    @TempDir
    Path temp;

    @Test
    void theFirstClaimWinsOneExecutionRunsAndEverythingElseIsRefused() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(
                temp,
                Map.of(
                        "RUNNER_SANDBOX",
                        "bubblewrap",
                        "RUNNER_POD_UID",
                        "uid-123",
                        "RUNNER_POD_NAME",
                        "kcr-py-abc",
                        "RUNNER_LANGUAGE",
                        "python"))) {
            RunnerHttp anonymous = runner.client();
            Map<String, Object> status = anonymous.get("/status").json();
            assertEquals(false, status.get("claimed"));
            assertEquals("uid-123", status.get("pod_uid"));
            assertEquals("kcr-py-abc", status.get("pod_name"));
            assertEquals("py", status.get("language"));

            RunnerHttp.Reply won = anonymous.postJson("/claim", Map.of("lease_id", "lease-A"));
            assertEquals(200, won.status());
            assertEquals(true, won.json().get("claimed"));
            assertEquals("uid-123", won.json().get("pod_uid"));
            assertEquals(
                    200,
                    anonymous.postJson("/claim", Map.of("lease_id", "lease-A")).status(),
                    "idempotent");
            RunnerHttp.Reply lost = anonymous.postJson("/claim", Map.of("lease_id", "lease-B"));
            assertEquals(409, lost.status());
            assertEquals("already_claimed", lost.json().get("error_type"));

            assertEquals(
                    409,
                    anonymous.execute(Map.of("lang", "py", "code", "print(1)")).status());
            assertEquals(409, anonymous.get("/files").status());
            assertEquals(409, anonymous.putBytes("/files/x", new byte[] {1}).status());
            RunnerHttp other = runner.client().withLease("lease-B");
            assertEquals(
                    "lease_mismatch",
                    other.execute(Map.of("lang", "py", "code", "print(1)"))
                            .json()
                            .get("error_type"));

            RunnerHttp holder = runner.client().withLease("lease-A");
            assertEquals(201, holder.putBytes("/files/in.txt", "x".getBytes()).status());
            RunnerHttp.Reply ran = holder.execute(Map.of("lang", "py", "code", "print(open('in.txt').read())"));
            assertEquals(200, ran.status());
            assertEquals("x\n", ran.json().get("stdout"));
            assertEquals(200, holder.get("/files").status(), "the holder still collects its outputs");

            RunnerHttp.Reply again = holder.execute(Map.of("lang", "py", "code", "print(2)"));
            assertEquals(409, again.status());
            assertEquals("already_used", again.json().get("error_type"));
            assertEquals(true, anonymous.get("/status").json().get("used"));
        }
    }

    @Test
    void anExecuteClaimsTheRunnerItselfOnlyAsThePodTheCallerLeased() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(
                temp,
                Map.of("RUNNER_SANDBOX", "bubblewrap", "RUNNER_POD_UID", "uid-123", "RUNNER_LANGUAGE", "python"))) {
            RunnerHttp anonymous = runner.client();
            RunnerHttp holder = runner.client().withLease("lease-A");
            Map<String, Object> program = Map.of(
                    "lang",
                    "py",
                    "code",
                    "import os\nos.makedirs('d', exist_ok=True)\nopen('d/out.txt', 'w').write('hi')\nprint(1)",
                    "list_files",
                    true);

            RunnerHttp.Reply wrongPod = holder.executeClaiming("uid-999", program);
            assertEquals(409, wrongPod.status(), "an address now served by another pod");
            assertEquals("pod_mismatch", wrongPod.json().get("error_type"));
            RunnerHttp.Reply bareClaim =
                    anonymous.postJson("/claim", Map.of("lease_id", "lease-X", "pod_uid", "uid-9"));
            assertEquals(409, bareClaim.status(), "the bare claim checks the leased pod's uid as well");
            assertEquals("pod_mismatch", bareClaim.json().get("error_type"));
            RunnerHttp.Reply noLease = anonymous.executeClaiming("uid-123", program);
            assertEquals(400, noLease.status());
            assertEquals("invalid_lease", noLease.json().get("error_type"));
            Map<String, Object> status = anonymous.get("/status").json();
            assertEquals(false, status.get("claimed"), "refused requests claim nothing");
            assertEquals(false, status.get("used"));

            RunnerHttp.Reply ran = holder.executeClaiming("uid-123", program);
            assertEquals(200, ran.status(), ran.raw());
            assertEquals("1\n", ran.json().get("stdout"));
            status = anonymous.get("/status").json();
            assertEquals(true, status.get("claimed"));
            assertEquals("lease-A", status.get("lease_id"));
            assertEquals(true, status.get("used"));
            assertEquals(
                    anonymous.withLease("lease-A").get("/files").json().get("files"),
                    ran.json().get("files"),
                    "the listing in the answer is the one GET /files gives");
            assertEquals(false, ran.json().get("files_truncated"));
            assertTrue(ran.raw().contains("\"path\":\"d/out.txt\""), ran.raw());

            RunnerHttp.Reply other = runner.client().withLease("lease-B").executeClaiming("uid-123", program);
            assertEquals(409, other.status());
            assertEquals("already_claimed", other.json().get("error_type"));
            RunnerHttp.Reply again = holder.executeClaiming("uid-123", program);
            assertEquals("already_used", again.json().get("error_type"), "still one execution per claim");
        }
    }

    @Test
    void withoutListFilesTheAnswerCarriesNoListing() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of("RUNNER_LANGUAGE", "python"))) {
            RunnerHttp.Reply ran = runner.client().execute(Map.of("lang", "py", "code", "open('x', 'w')"));
            assertEquals(200, ran.status());
            assertFalse(ran.json().containsKey("files"), ran.raw());
        }
    }

    @Test
    void malformedClaimsAreRejected() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of())) {
            RunnerHttp client = runner.client();
            assertEquals(422, client.postRaw("/claim", "{not json").status());
            assertEquals(400, client.postJson("/claim", Map.of("lease", "x")).status());
            assertEquals(405, client.get("/claim").status());
            assertEquals(false, client.get("/status").json().get("claimed"));
        }
    }
}
