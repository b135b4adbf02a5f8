package io.kubecoderun.runner;

import io.kubecoderun.runner.testing.RunnerClient;
import io.kubecoderun.runner.testing.RunnerProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The single-use claim. The failure it prevents: a registry glitch hands one warm pod to two requests, and the
 * second runs its code in a sandbox the first one's code could tamper with.
 */
class ClaimIT {
    @TempDir
    Path temp;

    @Test
    void theFirstClaimWinsOneExecutionRunsAndEverythingElseIsRefused() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of("RUNNER_SANDBOX", "bubblewrap",
                "RUNNER_POD_UID", "uid-123", "RUNNER_POD_NAME", "kcr-py-abc", "RUNNER_LANGUAGE", "python"))) {
            RunnerClient anonymous = runner.client();
            Map<String, Object> status = anonymous.get("/status").json();
            assertEquals(false, status.get("claimed"));
            assertEquals("uid-123", status.get("pod_uid"));
            assertEquals("kcr-py-abc", status.get("pod_name"));
            assertEquals("py", status.get("language"));

            RunnerClient.Reply won = anonymous.postJson("/claim", Map.of("lease_id", "lease-A"));
            assertEquals(200, won.status());
            assertEquals(true, won.json().get("claimed"));
            assertEquals("uid-123", won.json().get("pod_uid"));
            assertEquals(200, anonymous.postJson("/claim", Map.of("lease_id", "lease-A")).status(), "idempotent");
            RunnerClient.Reply lost = anonymous.postJson("/claim", Map.of("lease_id", "lease-B"));
            assertEquals(409, lost.status());
            assertEquals("already_claimed", lost.json().get("error_type"));

            assertEquals(409, anonymous.execute(Map.of("lang", "py", "code", "print(1)")).status());
            assertEquals(409, anonymous.get("/files").status());
            assertEquals(409, anonymous.putBytes("/files/x", new byte[]{1}).status());
            RunnerClient other = runner.client().withLease("lease-B");
            assertEquals("lease_mismatch", other.execute(Map.of("lang", "py", "code", "print(1)")).json().get("error_type"));

            RunnerClient holder = runner.client().withLease("lease-A");
            assertEquals(201, holder.putBytes("/files/in.txt", "x".getBytes()).status());
            RunnerClient.Reply ran = holder.execute(Map.of("lang", "py", "code", "print(open('in.txt').read())"));
            assertEquals(200, ran.status());
            assertEquals("x\n", ran.json().get("stdout"));
            assertEquals(200, holder.get("/files").status(), "the holder still collects its outputs");

            RunnerClient.Reply again = holder.execute(Map.of("lang", "py", "code", "print(2)"));
            assertEquals(409, again.status());
            assertEquals("already_used", again.json().get("error_type"));
            assertEquals(true, anonymous.get("/status").json().get("used"));
        }
    }

    @Test
    void malformedClaimsAreRejected() throws Exception {
        try (RunnerProcess runner = RunnerProcess.start(temp, Map.of())) {
            RunnerClient client = runner.client();
            assertEquals(422, client.postRaw("/claim", "{not json").status());
            assertEquals(400, client.postJson("/claim", Map.of("lease", "x")).status());
            assertEquals(405, client.get("/claim").status());
            assertEquals(false, client.get("/status").json().get("claimed"));
        }
    }
}
