package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A hostile program against its tool channel. The runner reads and writes the channel from outside the sandbox,
 * with the runner's own access to the host: whatever the program plants there (links, FIFOs, a full pipe, a flood
 * of calls, a moved directory) must neither reach a host file nor stall the runner. Each test plants one trick
 * and then checks the host side.
 */
@Timeout(120)
class ProgrammaticAttackIT {
    @RegisterExtension
    static RunnerExtension runner = RunnerExtension.sandboxed();

    /** A second runner, claimed by a lease (single use), for the cancel that overtakes its execution. */
    @RegisterExtension
    static RunnerExtension claimed = RunnerExtension.sandboxed(Map.of("RUNNER_POD_UID", "uid-overtaken"));

    /** Whatever a test left running or waiting is stopped, so the next finds the runner free. */
    @org.junit.jupiter.api.AfterEach
    void stopLeftovers() throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < until
                && Boolean.TRUE.equals(runner.client()
                        .postJson("/execute/cancel", Map.of())
                        .json()
                        .get("stopped"))) {
            Thread.sleep(50);
        }
        Thread.sleep(100); // the execution thread frees the runner just after its program ended
    }

    private static Map<String, Object> start(String code, Object... extra) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lang", "bash");
        body.put("code", code);
        body.put("tools", List.of("add-numbers"));
        body.put("timeout_ms", 20_000);
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        RunnerHttp.Reply reply = runner.client().execute(body);
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    /** A call made by hand with the program's own token, as the prelude would make it. */
    private static String handMadeCall(String token, String request) {
        return String.join(
                "\n",
                "cd \"$KCR_TOOLS_DIR\"",
                "mkfifo " + token + ".res && exec 7<>" + token + ".res",
                request,
                "printf '" + token + " 0\\n' > bell",
                "IFS= read -r -u 7 status",
                "echo \"status=$status\"; cat " + token + ".out; echo");
    }

    @Test
    void theToolDirectoryCannotBeMovedOrReplaced() throws Exception {
        Map<String, Object> done = start(String.join(
                "\n",
                "mv \"$KCR_TOOLS_DIR\" /tmp/moved 2>/dev/null && echo moved || echo move-refused",
                "rm -rf \"$KCR_TOOLS_DIR\" 2>/dev/null",
                "ln -sfn / \"$KCR_TOOLS_DIR\" 2>/dev/null; [ -L \"$KCR_TOOLS_DIR\" ] && echo replaced",
                "[ -d \"$KCR_TOOLS_DIR\" ] && echo still-a-directory"));
        assertEquals("completed", done.get("status"), String.valueOf(done));
        assertEquals("move-refused\nstill-a-directory\n", done.get("stdout"), String.valueOf(done));
    }

    @Test
    void aLinkPlantedAsTheRequestIsNotFollowed(@org.junit.jupiter.api.io.TempDir Path host) throws Exception {
        Path secret = Files.writeString(host.resolve("secret.txt"), "add_numbers\n{\"the\":\"host secret 4711\"}");
        Map<String, Object> done = start(handMadeCall("t1", "ln -s " + secret + " t1.req"));
        assertEquals("completed", done.get("status"), "the runner never offered the planted call: " + done);
        String stdout = (String) done.get("stdout");
        assertTrue(stdout.startsWith("status=1\n"), stdout);
        assertTrue(stdout.contains("could not be read"), stdout);
        assertFalse(stdout.contains("4711"), stdout);
        assertTrue(Files.exists(secret), "the runner deletes requests: not through a link");
    }

    @Test
    void aLinkPlantedAsTheResultIsNotWrittenThrough(@org.junit.jupiter.api.io.TempDir Path host) throws Exception {
        Path target = Files.writeString(host.resolve("target.txt"), "untouched");
        String code = String.join(
                "\n",
                "cd \"$KCR_TOOLS_DIR\"",
                "ln -s " + target + " t4.out",
                "mkfifo t4.res && exec 7<>t4.res",
                "printf 'add_numbers\\n{\"a\": 1}' > t4.req",
                "printf 't4 0\\n' > bell",
                "read -r -t 3 -u 7 status || echo no-wake",
                "echo done");
        Map<String, Object> waiting = start(code);
        List<?> calls = (List<?>) waiting.get("tool_calls");
        String id = (String) ((Map<?, ?>) calls.get(0)).get("id");
        RunnerHttp.Reply done = runner.client()
                .postJson(
                        "/execute/continue",
                        Map.of("tool_results", List.of(Map.of("call_id", id, "result", "pwned", "is_error", false))));
        assertEquals(200, done.status(), done.raw());
        assertEquals("no-wake\ndone\n", done.json().get("stdout"), done.raw());
        assertEquals("untouched", Files.readString(target), "nothing was written through the link");
    }

    @Test
    void aFifoPlantedAsTheRequestDoesNotStallTheChannel() throws Exception {
        String code = String.join(
                "\n",
                "mkfifo \"$KCR_TOOLS_DIR/t2.req\"",
                "printf 't2 0\\n' > \"$KCR_TOOLS_DIR/bell\"",
                "add_numbers '{\"a\": 2}'");
        long start = System.nanoTime();
        Map<String, Object> waiting = start(code);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("tool_call_required", waiting.get("status"), "the next call was still read: " + waiting);
        assertTrue(ms < 5_000, "answered after " + ms + " ms");
        runner.client().postJson("/execute/cancel", Map.of());
    }

    @Test
    void aFullResultPipeDoesNotStallTheRunner() throws Exception {
        String code = String.join(
                "\n",
                "cd \"$KCR_TOOLS_DIR\"",
                "mkfifo t3.res && exec 7<>t3.res",
                "head -c 200000 /dev/zero >&7 &", // fills the pipe: the runner's wake-up write would block
                "sleep 0.2",
                "printf 'no_such_tool\\n{}' > t3.req",
                "printf 't3 0\\n' > bell",
                "add_numbers '{\"a\": 3}'");
        long start = System.nanoTime();
        Map<String, Object> waiting = start(code);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals("tool_call_required", waiting.get("status"), String.valueOf(waiting));
        assertTrue(ms < 5_000, "the stalled wake-up was given up: answered after " + ms + " ms");
        runner.client().postJson("/execute/cancel", Map.of());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aFloodOfCallsIsCappedPerAnswer() throws Exception {
        String code = String.join(
                "\n",
                "for i in $(seq 1 130); do { add_numbers \"{\\\"a\\\": $i}\" > /dev/null 2>&1 || echo x >> /tmp/refused; } & done",
                "wait",
                "echo refused=$(cat /tmp/refused 2>/dev/null | wc -l)");
        Map<String, Object> answer = start(code);
        int answered = 0;
        while ("tool_call_required".equals(answer.get("status"))) {
            List<Map<String, Object>> calls = (List<Map<String, Object>>) answer.get("tool_calls");
            assertTrue(calls.size() <= 100, "one answer carries at most 100 calls, not " + calls.size());
            List<Map<String, Object>> results = new ArrayList<>();
            for (Map<String, Object> call : calls) {
                results.add(Map.of("call_id", call.get("id"), "result", 1, "is_error", false));
            }
            answered += calls.size();
            RunnerHttp.Reply next = runner.client().postJson("/execute/continue", Map.of("tool_results", results));
            assertEquals(200, next.status(), next.raw());
            answer = next.json();
        }
        assertTrue(answered >= 100, "the first answer filled up: " + answered);
        assertEquals("refused=" + (130 - answered) + "\n", answer.get("stdout"), String.valueOf(answer));
    }

    @Test
    void toolsThatWouldShadowTheShellsOwnBuiltinsAreRefused() throws Exception {
        for (String name : List.of("exec", "command", "builtin", "return", "__kcr_tool")) {
            RunnerHttp.Reply reply =
                    runner.client().execute(Map.of("lang", "bash", "code", "echo hi", "tools", List.of(name)));
            assertEquals(400, reply.status(), name + ": " + reply.raw());
        }
    }

    @Test
    void aCancelThatOvertakesItsExecutionStopsItBeforeItRuns() throws Exception {
        RunnerHttp client = claimed.client().withLease("lease-overtaken");
        RunnerHttp.Reply cancel = client.postJson("/execute/cancel", Map.of());
        assertEquals(200, cancel.status(), cancel.raw());
        RunnerHttp.Reply reply = client.executeClaiming(
                "uid-overtaken",
                Map.of("lang", "bash", "code", "touch /mnt/data/ran; echo ran", "tools", List.of("add-numbers")));
        assertEquals(200, reply.status(), reply.raw());
        assertEquals("completed", reply.json().get("status"));
        assertEquals("", reply.json().get("stdout"), "the program never ran");
        assertTrue(((String) reply.json().get("stderr")).contains("cancelled by the caller"), reply.raw());
    }
}
