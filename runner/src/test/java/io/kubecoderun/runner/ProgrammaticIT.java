package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Programmatic executions on a real runner in bubblewrap: the program calls its tools through the channel, the
 * runner answers with the calls it waits on, results resume it. Python and bash, 0, 1 and 3 calls, in parallel
 * and in sequence, tool errors, the idle deadline, cancellation, and the checks on results.
 */
@Timeout(120)
class ProgrammaticIT {
    @RegisterExtension
    static RunnerExtension runner = RunnerExtension.sandboxed();

    private static final List<String> TOOLS = List.of("add-numbers", "get weather", "class", "3d.render");

    private static Map<String, Object> start(String lang, String code, Object... extra) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lang", lang);
        body.put("code", code);
        body.put("tools", TOOLS);
        body.put("timeout_ms", 20_000);
        for (int i = 0; i < extra.length; i += 2) {
            body.put((String) extra[i], extra[i + 1]);
        }
        RunnerHttp.Reply reply = runner.client().execute(body);
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    private static RunnerHttp.Reply continueWith(List<Map<String, Object>> results) throws Exception {
        return runner.client().postJson("/execute/continue", Map.of("tool_results", results));
    }

    private static Map<String, Object> result(String callId, Object value) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("call_id", callId);
        result.put("result", value);
        result.put("is_error", false);
        return result;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> calls(Map<String, Object> answer) {
        assertEquals("tool_call_required", answer.get("status"), String.valueOf(answer));
        return (List<Map<String, Object>>) answer.get("tool_calls");
    }

    private static Map<String, Object> completed(RunnerHttp.Reply reply) {
        assertEquals(200, reply.status(), reply.raw());
        assertEquals("completed", reply.json().get("status"), reply.raw());
        return reply.json();
    }

    @Test
    void pythonCodeThatCallsNoToolSimplyCompletes() throws Exception {
        Map<String, Object> answer = start("py", "import asyncio\nawait asyncio.sleep(0)\nprint('no tools', 6 * 7)");
        assertEquals("completed", answer.get("status"), String.valueOf(answer));
        assertEquals("no tools 42\n", answer.get("stdout"));
        assertEquals(0L, answer.get("exit_code"));
    }

    @Test
    void onePythonCallWaitsForItsResultAndResumes() throws Exception {
        Map<String, Object> answer =
                start("py", "r = await add_numbers(a=1, b=2)\nprint('sum', r['sum'], type(r).__name__)");
        List<Map<String, Object>> calls = calls(answer);
        assertEquals(1, calls.size());
        assertEquals("add-numbers", calls.get(0).get("name"), "the request's name, not the identifier");
        assertEquals(Map.of("a", 1L, "b", 2L), calls.get(0).get("input"));
        Map<String, Object> done =
                completed(continueWith(List.of(result((String) calls.get(0).get("id"), Map.of("sum", 3)))));
        assertEquals("sum 3 dict\n", done.get("stdout"), String.valueOf(done));
    }

    @Test
    void gatheredPythonCallsArriveInOneAnswer() throws Exception {
        String code = String.join(
                "\n",
                "import asyncio",
                "a, b, c = await asyncio.gather(get_weather(city='SF'), get_weather(city='NY'), class_tool(x=1))",
                "print(a, b, c)");
        List<Map<String, Object>> calls = calls(start("py", code));
        assertEquals(3, calls.size(), String.valueOf(calls));
        assertEquals(
                List.of("get weather", "get weather", "class"),
                calls.stream().map(c -> c.get("name")).toList());
        List<Map<String, Object>> results = new ArrayList<>();
        for (Map<String, Object> call : calls) {
            Map<String, Object> input = (Map<String, Object>) call.get("input");
            results.add(result((String) call.get("id"), input.getOrDefault("city", "x=" + input.get("x"))));
        }
        assertEquals("SF NY x=1\n", completed(continueWith(results)).get("stdout"));
    }

    @Test
    void sequentialPythonCallsTakeOneRoundTripEach() throws Exception {
        String code =
                "total = 0\nfor i in range(3):\n    total += await add_numbers(a=total, b=i)\nprint('total', total)";
        Map<String, Object> answer = start("py", code);
        long total = 0;
        for (int round = 0; round < 3; round++) {
            List<Map<String, Object>> calls = calls(answer);
            assertEquals(1, calls.size());
            Map<String, Object> input = (Map<String, Object>) calls.get(0).get("input");
            long sum = (Long) input.get("a") + (Long) input.get("b");
            total += sum;
            RunnerHttp.Reply reply =
                    continueWith(List.of(result((String) calls.get(0).get("id"), sum)));
            assertEquals(200, reply.status(), reply.raw());
            answer = reply.json();
        }
        assertEquals("completed", answer.get("status"));
        assertEquals("total " + total + "\n", answer.get("stdout"));
    }

    @Test
    void aToolErrorIsRaisedInThePythonProgram() throws Exception {
        String code = "try:\n    await add_numbers(a=1)\nexcept RuntimeError as e:\n    print('caught:', e)";
        List<Map<String, Object>> calls = calls(start("py", code));
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("call_id", calls.get(0).get("id"));
        error.put("result", null);
        error.put("is_error", true);
        error.put("error_message", "b is required");
        assertEquals(
                "caught: add_numbers failed: b is required\n",
                completed(continueWith(List.of(error))).get("stdout"));
    }

    @Test
    void bashCallsTakeJsonAndPrintCompactJson() throws Exception {
        String code =
                "out=$(add_numbers '{\"a\": 1, \"b\": 2}')\necho \"got $out\"\n_3d_render 'plain text' || echo failed";
        List<Map<String, Object>> first = calls(start("bash", code));
        assertEquals(1, first.size());
        assertEquals(Map.of("a", 1L, "b", 2L), first.get(0).get("input"));
        RunnerHttp.Reply reply =
                continueWith(List.of(result((String) first.get(0).get("id"), Map.of("sum", 3))));
        assertEquals(200, reply.status(), reply.raw());
        List<Map<String, Object>> second = calls(reply.json());
        assertEquals("3d.render", second.get(0).get("name"));
        assertEquals("plain text", second.get(0).get("input"), "text that is not a JSON object is passed as text");
        Map<String, Object> error =
                new LinkedHashMap<>(result((String) second.get(0).get("id"), null));
        error.put("is_error", true);
        error.put("error_message", "cannot render");
        Map<String, Object> done = completed(continueWith(List.of(error)));
        assertEquals("got {\"sum\":3}\nfailed\n", done.get("stdout"));
        assertTrue(((String) done.get("stderr")).contains("cannot render"), String.valueOf(done));
    }

    @Test
    void backgroundBashCallsArriveTogether() throws Exception {
        String code = String.join(
                "\n",
                "set -euo pipefail",
                "for city in SF NY LA; do { get_weather \"{\\\"city\\\": \\\"$city\\\"}\" > /tmp/$city.json; } & done",
                "wait",
                "cat /tmp/SF.json /tmp/NY.json /tmp/LA.json");
        List<Map<String, Object>> calls = calls(start("bash", code));
        assertEquals(3, calls.size(), String.valueOf(calls));
        List<Map<String, Object>> results = new ArrayList<>();
        for (Map<String, Object> call : calls) {
            results.add(result((String) call.get("id"), "sunny in " + ((Map<?, ?>) call.get("input")).get("city")));
        }
        assertEquals(
                "sunny in SF\nsunny in NY\nsunny in LA\n",
                completed(continueWith(results)).get("stdout"));
    }

    @Test
    void resultsMustAnswerExactlyTheCallsAsked() throws Exception {
        String code = "import asyncio\nprint(await asyncio.gather(add_numbers(a=1, b=1), add_numbers(a=2, b=2)))";
        List<Map<String, Object>> calls = calls(start("py", code));
        assertEquals(2, calls.size());
        String first = (String) calls.get(0).get("id");
        String second = (String) calls.get(1).get("id");
        assertEquals(400, continueWith(List.of()).status(), "an empty list");
        assertEquals(
                400,
                continueWith(List.of(result("call_999", 1), result(first, 2), result(second, 4)))
                        .status());
        RunnerHttp.Reply partial = continueWith(List.of(result(first, 2)));
        assertEquals(400, partial.status(), partial.raw());
        assertTrue(partial.raw().contains(second), partial.raw());
        assertEquals(
                400, continueWith(List.of(result(first, 2), result(first, 2))).status(), "answered twice");
        assertEquals(
                "[2, 4]\n",
                completed(continueWith(List.of(result(first, 2), result(second, 4))))
                        .get("stdout"));
        assertEquals(409, continueWith(List.of(result(first, 2))).status(), "the execution has ended");
    }

    @Test
    void aProgramWaitingPastItsIdleDeadlineIsStopped() throws Exception {
        String marker = "41" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        String code = "(sleep " + marker + " &)\nadd_numbers '{}'\necho never";
        calls(start("bash", code, "tool_wait_ms", 1000));
        assertTrue(HostProcesses.awaitGone(marker, 5_000).isEmpty(), "the program and what it started are gone");
        RunnerHttp.Reply late = continueWith(List.of(result("call_1", 1)));
        Map<String, Object> done = completed(late);
        assertEquals(true, done.get("timed_out"), late.raw());
        assertEquals("", done.get("stdout"));
    }

    @Test
    void cancellingAWaitingProgramStopsIt() throws Exception {
        String marker = "42" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        calls(start("bash", "(sleep " + marker + " &)\nadd_numbers '{}'\necho never"));
        assertTrue(!HostProcesses.withArgument(marker).isEmpty(), "planted");
        RunnerHttp.Reply cancel = runner.client().postJson("/execute/cancel", Map.of());
        assertEquals(200, cancel.status(), cancel.raw());
        assertEquals(true, cancel.json().get("stopped"));
        assertTrue(HostProcesses.awaitGone(marker, 1_000).isEmpty(), "gone within a second");
        Map<String, Object> done = completed(continueWith(List.of(result("call_1", 1))));
        assertTrue(((String) done.get("stderr")).contains("cancelled by the caller"), String.valueOf(done));
    }

    @Test
    void cancellingAnOrdinaryExecutionAnswersItAtOnce() throws Exception {
        String marker = "43" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        CompletableFuture<RunnerHttp.Reply> running = CompletableFuture.supplyAsync(() -> {
            try {
                return runner.client()
                        .execute(Map.of("lang", "bash", "code", "sleep " + marker + " & wait", "timeout_ms", 60_000));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(10))
                .until(() -> !HostProcesses.withArgument(marker).isEmpty());
        long start = System.nanoTime();
        assertEquals(
                true,
                runner.client().postJson("/execute/cancel", Map.of()).json().get("stopped"));
        RunnerHttp.Reply reply = running.get(5, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 1_000, "answered " + ms + " ms after the cancel");
        assertTrue(
                ((String) reply.json().get("stderr")).contains("Execution stopped: cancelled by the caller"),
                reply.raw());
        assertTrue(HostProcesses.withArgument(marker).isEmpty());
        assertEquals(
                false,
                runner.client().postJson("/execute/cancel", Map.of()).json().get("stopped"),
                "nothing runs");
    }

    @Test
    void onlyPythonAndBashRunProgrammatically() throws Exception {
        RunnerHttp.Reply reply =
                runner.client().execute(Map.of("lang", "js", "code", "console.log(1)", "tools", List.of("a")));
        assertEquals(400, reply.status(), reply.raw());
        assertEquals("invalid_tools", reply.json().get("error_type"));
        RunnerHttp.Reply clash =
                runner.client().execute(Map.of("lang", "py", "code", "print(1)", "tools", List.of("a-b", "a b")));
        assertEquals(400, clash.status(), clash.raw());
    }
}
