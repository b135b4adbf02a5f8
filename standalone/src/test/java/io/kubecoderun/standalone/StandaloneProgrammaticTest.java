package io.kubecoderun.standalone;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.HostProcesses;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Programmatic tool calling through HTTP on the standalone app, driven exactly as LibreChat's 3.9.2 client drives
 * it ({@link LibreChatProgrammaticClient}): Python and bash programs calling 0, 1 and 3 tools, in parallel and in
 * sequence, a tool error, the idle deadline, a cancel mid-wait, another principal's continuation, and a caller that
 * disconnects mid-run (its process tree gone and its sandbox released within a second).
 */
@QuarkusTest
@TestProfile(StandaloneProgrammaticTest.Profile.class)
@Timeout(180)
class StandaloneProgrammaticTest extends StandaloneHttp {
    static final String IDLE_SECONDS = "3";

    public static class Profile extends StandaloneApiTest.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("PROGRAMMATIC_IDLE_TIMEOUT", IDLE_SECONDS);
            config.put("POD_POOL_BASH", "1");
            config.put("PROGRAMMATIC_MAX_TOOL_CALLS", "8");
            config.put("PROGRAMMATIC_MAX_RESULT_BYTES", "2000");
            config.put("PROGRAMMATIC_MAX_HISTORY_BYTES", "6000");
            return config;
        }
    }

    private LibreChatProgrammaticClient client(String key) {
        return new LibreChatProgrammaticClient("http://127.0.0.1:" + port + "/v1", Map.of("X-API-Key", key));
    }

    private static final List<LibreChatProgrammaticClient.Tool> TOOLS = List.of(
            new LibreChatProgrammaticClient.Tool("add-numbers", "Adds a and b", input -> {
                Map<?, ?> args = (Map<?, ?>) input;
                return Map.of("sum", ((Number) args.get("a")).longValue() + ((Number) args.get("b")).longValue());
            }),
            new LibreChatProgrammaticClient.Tool("get_weather", "Weather of a city", input -> {
                Object city = ((Map<?, ?>) input).get("city");
                if ("Atlantis".equals(city)) {
                    throw new IllegalArgumentException("no such city: Atlantis");
                }
                return "sunny in " + city;
            }),
            new LibreChatProgrammaticClient.Tool("unused-tool", "Never called", input -> {
                throw new AssertionError("not called");
            }));

    private static long toolCallsRequired(LibreChatProgrammaticClient client) {
        return client.exchanges.stream()
                .filter(e -> "tool_call_required".equals(e.answer().get("status")))
                .count();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> callsOf(LibreChatProgrammaticClient.Exchange exchange) {
        return (List<Map<String, Object>>) exchange.answer().get("tool_calls");
    }

    @Test
    void pythonCallingNoToolCompletes() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> done = client.run("py", "print('plain', 6 * 7)", TOOLS, null, 15000);
        assertEquals("completed", done.get("status"), String.valueOf(done));
        assertEquals("plain 42\n", done.get("stdout"));
        assertEquals(21, ((String) done.get("session_id")).length());
        assertEquals(0, toolCallsRequired(client));
    }

    @Test
    void pythonCallsOneToolThenThreeInParallelThenThreeInSequence() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        String code = String.join(
                "\n",
                "import asyncio",
                "first = await add_numbers(a=1, b=2)",
                "sf, ny, la = await asyncio.gather(get_weather(city='SF'), get_weather(city='NY'), get_weather(city='LA'))",
                "total = first['sum']",
                "for i in range(3):",
                "    total = (await add_numbers(a=total, b=i))['sum']",
                "print(first, sf, ny, la, total)");
        Map<String, Object> done = client.run("py", code, TOOLS, null, 15000);
        assertEquals("completed", done.get("status"), String.valueOf(done));
        assertEquals("{'sum': 3} sunny in SF sunny in NY sunny in LA 6\n", done.get("stdout"));
        assertEquals(5, toolCallsRequired(client), "1 + one answer for the gather + 3");
        List<Map<String, Object>> gathered = callsOf(client.exchanges.get(1));
        assertEquals(3, gathered.size(), String.valueOf(gathered));
        Map<String, Object> firstCall = callsOf(client.exchanges.get(0)).get(0);
        assertEquals("add-numbers", firstCall.get("name"), "the tool's registered name, not add_numbers");
        assertEquals(Map.of("a", 1, "b", 2), firstCall.get("input"));
        String session = (String) client.exchanges.get(0).answer().get("session_id");
        assertEquals(session, done.get("session_id"), "every answer names the execution's session");
    }

    @Test
    void aToolErrorReachesThePythonProgram() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        String code =
                "try:\n    await get_weather(city='Atlantis')\nexcept Exception as e:\n    print('tool failed:', e)";
        Map<String, Object> done = client.run("py", code, TOOLS, null, 15000);
        assertEquals(
                "tool failed: get_weather failed: no such city: Atlantis\n", done.get("stdout"), String.valueOf(done));
    }

    @Test
    void bashCallsToolsInSequenceAndInTheBackground() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        String code = String.join(
                "\n",
                "set -euo pipefail",
                "sum=$(add_numbers '{\"a\": 40, \"b\": 2}')",
                "for city in SF NY LA; do { get_weather \"{\\\"city\\\": \\\"$city\\\"}\" > /tmp/$city.txt; } & done",
                "wait",
                "echo \"sum=$sum\"; cat /tmp/SF.txt /tmp/NY.txt /tmp/LA.txt");
        Map<String, Object> done = client.run("bash", code, TOOLS, null, 15000);
        assertEquals("completed", done.get("status"), String.valueOf(done));
        assertEquals("sum={\"sum\":42}\nsunny in SF\nsunny in NY\nsunny in LA\n", done.get("stdout"));
        assertEquals(2, toolCallsRequired(client), "one call, then the three background calls in one answer");
        assertEquals(3, callsOf(client.exchanges.get(1)).size());
    }

    @Test
    void filesWrittenByAProgrammaticRunAreOutputsOfItsSession() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        String code =
                "r = await add_numbers(a=2, b=3)\nopen('/mnt/data/sum.txt', 'w').write(str(r['sum']))\nprint('ok')";
        Map<String, Object> done = client.run("py", code, TOOLS, null, 15000);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> files = (List<Map<String, Object>>) done.get("files");
        assertEquals(1, files.size(), String.valueOf(done));
        assertEquals("sum.txt", files.get(0).get("name"));
        HttpResponse<String> download = http.send(
                request(
                                "/download/" + done.get("session_id") + "/"
                                        + files.get(0).get("id"),
                                KEY)
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals("5", download.body());
    }

    @Test
    void anotherPrincipalCannotContinueAndTheOwnerStillCan() throws Exception {
        LibreChatProgrammaticClient owner = client(KEY);
        Map<String, Object> body = LibreChatProgrammaticClient.startBody(
                "py", "r = await add_numbers(a=1, b=1)\nprint(r)", TOOLS, null, 15000);
        Map<String, Object> waiting = owner.post(body);
        assertEquals("tool_call_required", waiting.get("status"));
        Map<String, Object> next = LibreChatProgrammaticClient.continuation(
                waiting,
                List.of(LibreChatProgrammaticClient.result(
                        callsOf(owner.exchanges.get(0)).get(0).get("id"), Map.of("sum", 2))));
        LibreChatProgrammaticClient stranger = client(StandaloneApiTest.OTHER_KEY);
        HttpResponse<String> refused =
                http.send(stranger.request(next, "stranger-1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, refused.statusCode(), refused.body());
        assertEquals(
                "continuation_not_found",
                json.readValue(refused.body(), Map.class).get("error_type"));
        assertEquals("{'sum': 2}\n", owner.post(next).get("stdout"));
        HttpResponse<String> replay = http.send(owner.request(next, "replay-1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, replay.statusCode(), "a token is good for one continuation: " + replay.body());
    }

    @Test
    void resultsForCallsNeverAskedForAreRefused() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body =
                LibreChatProgrammaticClient.startBody("py", "print(await add_numbers(a=1, b=1))", TOOLS, null, 15000);
        Map<String, Object> waiting = client.post(body);
        for (List<Map<String, Object>> results : List.of(
                List.<Map<String, Object>>of(),
                List.of(Map.<String, Object>of("call_id", "call_77", "result", 1, "is_error", false)))) {
            Map<String, Object> next = LibreChatProgrammaticClient.continuation(waiting, results);
            HttpResponse<String> refused =
                    http.send(client.request(next, "bad-" + results.size()), HttpResponse.BodyHandlers.ofString());
            assertEquals(400, refused.statusCode(), refused.body());
        }
        Map<String, Object> next = LibreChatProgrammaticClient.continuation(
                waiting,
                List.of(LibreChatProgrammaticClient.result(
                        callsOf(client.exchanges.get(0)).get(0).get("id"), 2)));
        assertEquals("2\n", client.post(next).get("stdout"), "a refused continuation leaves the token usable");
    }

    @Test
    void aRequestListingTooManyToolsIsRefused() throws Exception {
        List<LibreChatProgrammaticClient.Tool> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(new LibreChatProgrammaticClient.Tool("tool_" + i, "", input -> null));
        }
        Map<String, Object> body = LibreChatProgrammaticClient.startBody("py", "print(1)", many, null, null);
        HttpResponse<String> refused =
                http.send(client(KEY).request(body, "many-1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(400, refused.statusCode(), refused.body());
        assertEquals("invalid_tools", json.readValue(refused.body(), Map.class).get("error_type"));
    }

    @Test
    void aProgramWaitingPastTheIdleDeadlineIsStoppedAndReleased() throws Exception {
        String marker = "51" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body = LibreChatProgrammaticClient.startBody(
                "bash", "(sleep " + marker + " &)\nadd_numbers '{}'", TOOLS, null, 15000);
        Map<String, Object> waiting = client.post(body);
        assertEquals("tool_call_required", waiting.get("status"));
        assertTrue(!HostProcesses.withArgument(marker).isEmpty(), "planted");
        await("the program stopped at its idle deadline")
                .atMost(Duration.ofSeconds(Long.parseLong(IDLE_SECONDS) + 10))
                .until(() -> HostProcesses.withArgument(marker).isEmpty());
        Map<String, Object> next = LibreChatProgrammaticClient.continuation(
                waiting, List.of(LibreChatProgrammaticClient.result("call_1", 1)));
        HttpResponse<String> late = http.send(client.request(next, "late-1"), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, late.statusCode(), late.body());
        assertTrue(late.body().contains("expired"), late.body());
        await("its sandbox released once its lease ran out (idle deadline + 15 s) and the controller reaped it")
                .atMost(Duration.ofSeconds(45))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> leased("bash") == 0);
    }

    @Test
    void cancellingMidWaitStopsTheProgramAndReleasesItsSandbox() throws Exception {
        String marker = "52" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body = LibreChatProgrammaticClient.startBody(
                "py",
                "import subprocess\nsubprocess.Popen(['sleep', '" + marker + "'])\nawait add_numbers(a=1, b=2)",
                TOOLS,
                null,
                15000);
        Map<String, Object> waiting = client.post(body);
        assertEquals("tool_call_required", waiting.get("status"), String.valueOf(waiting));
        String requestId = client.exchanges.get(0).requestId();
        HttpResponse<String> cancelled = client.cancel(requestId);
        assertEquals(202, cancelled.statusCode(), cancelled.body());
        assertTrue(
                HostProcesses.awaitGone(marker, 1_000).isEmpty(), "the program's process tree is gone within a second");
        assertEquals(200, client.cancel(requestId).statusCode(), "a second cancel: already_completed");
        assertTrue(client.cancel(requestId).body().contains("already_completed"));
        Map<String, Object> next = LibreChatProgrammaticClient.continuation(
                waiting, List.of(LibreChatProgrammaticClient.result("call_1", 3)));
        HttpResponse<String> late =
                http.send(client.request(next, "after-cancel"), HttpResponse.BodyHandlers.ofString());
        assertEquals(404, late.statusCode(), late.body());
        assertEquals(404, client(StandaloneApiTest.OTHER_KEY).cancel(requestId).statusCode(), "another principal's id");
        assertEquals(404, client.cancel("never-seen-id").statusCode());
        HttpResponse<String> malformed = http.send(
                request("/exec/programmatic/cancel", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"request_id\": 5}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, malformed.statusCode(), malformed.body());
    }

    @Test
    void cancellingWhileTheFirstRoundTripRunsStopsTheProgramAtOnce() throws Exception {
        String marker = "54" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body = LibreChatProgrammaticClient.startBody(
                "py",
                "import subprocess\nsubprocess.run(['sleep', '" + marker + "'])\nawait add_numbers(a=1, b=2)",
                TOOLS,
                null,
                60000);
        String requestId = "first-round-" + marker;
        CompletableFuture<HttpResponse<String>> running =
                http.sendAsync(client.request(body, requestId), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !HostProcesses.withArgument(marker).isEmpty());
        long start = System.nanoTime();
        HttpResponse<String> cancelled = client.cancel(requestId);
        assertEquals(202, cancelled.statusCode(), cancelled.body());
        HttpResponse<String> answer = running.get(5, TimeUnit.SECONDS);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(200, answer.statusCode(), answer.body());
        Map<?, ?> json = this.json.readValue(answer.body(), Map.class);
        assertEquals("error", json.get("status"), answer.body());
        assertEquals("Execution cancelled", json.get("error"));
        assertTrue(ms < 2_000, "the running round trip answered " + ms + " ms after the cancel");
        assertTrue(HostProcesses.awaitGone(marker, 1_000).isEmpty(), "its process tree is gone");
    }

    @Test
    void aCallerThatDisconnectsDuringARoundTripStopsTheProgram() throws Exception {
        String marker = "55" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body = LibreChatProgrammaticClient.startBody(
                "py",
                "r = await add_numbers(a=1, b=2)\nimport subprocess\nsubprocess.run(['sleep', '" + marker + "'])",
                TOOLS,
                null,
                60000);
        Map<String, Object> waiting = client.post(body);
        Map<String, Object> next = LibreChatProgrammaticClient.continuation(
                waiting,
                List.of(LibreChatProgrammaticClient.result(
                        callsOf(client.exchanges.get(0)).get(0).get("id"), 3)));
        CompletableFuture<HttpResponse<String>> running =
                http.sendAsync(client.request(next, "round-" + marker), HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !HostProcesses.withArgument(marker).isEmpty());
        running.cancel(true);
        assertTrue(
                HostProcesses.awaitGone(marker, 1_000).isEmpty(),
                "the program's process tree is gone within a second of the disconnect");
        await("the sandbox released")
                .atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> leased("py") == 0);
    }

    private static LibreChatProgrammaticClient.Tool echo(int length) {
        return new LibreChatProgrammaticClient.Tool("pad", "a long answer", input -> "x".repeat(length));
    }

    @Test
    void moreToolCallsThanAllowedStopTheExecution() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> done =
                client.run("py", "for i in range(12):\n    await pad()\nprint('never')", List.of(echo(1)), null, 15000);
        assertEquals("error", done.get("status"), String.valueOf(done));
        assertEquals("the program made more than 8 tool calls", done.get("error"));
        assertEquals(8, toolCallsRequired(client));
        await("the sandbox released").atMost(Duration.ofSeconds(5)).until(() -> leased("py") == 0);
    }

    @Test
    void aResultOverTheCapReachesTheProgramAsAToolError() throws Exception {
        String code =
                "try:\n    await pad()\nexcept RuntimeError as e:\n    print('refused:', 'capped at 2000' in str(e))";
        Map<String, Object> done = client(KEY).run("py", code, List.of(echo(2500)), null, 15000);
        assertEquals("refused: True\n", done.get("stdout"), String.valueOf(done));
    }

    @Test
    void resultsOverTheHistoryCapStopTheExecution() throws Exception {
        Map<String, Object> done = client(KEY)
                .run("py", "for i in range(5):\n    await pad()\nprint('never')", List.of(echo(1900)), null, 15000);
        assertEquals("error", done.get("status"), String.valueOf(done));
        assertTrue(((String) done.get("error")).contains("exceeded 6000 bytes in total"), String.valueOf(done));
    }

    @Test
    void aRequestIdInUseIsAConflict() throws Exception {
        LibreChatProgrammaticClient client = client(KEY);
        Map<String, Object> body =
                LibreChatProgrammaticClient.startBody("py", "print(await add_numbers(a=1, b=1))", TOOLS, null, null);
        Map<String, Object> waiting = client.post(body);
        assertEquals("tool_call_required", waiting.get("status"));
        String used = client.exchanges.get(0).requestId();
        HttpResponse<String> again = http.send(client.request(body, used), HttpResponse.BodyHandlers.ofString());
        assertEquals(409, again.statusCode(), again.body());
        assertEquals(202, client.cancel(used).statusCode());
    }

    /**
     * Code that calls no tool (the client's {@code needsNoTools}) is sent to {@code /exec} instead, wrapped by
     * {@code wrapPythonForPlainExecution} so its top-level {@code await} runs; this is that body exactly.
     */
    @Test
    void theClientsPlainExecutionOfToolFreeCodeRuns() throws Exception {
        String userCode = "import asyncio\nawait asyncio.sleep(0)\nprint('no tools needed')";
        StringBuilder indented = new StringBuilder();
        for (String line : userCode.split("\n", -1)) {
            indented.append(line.strip().isEmpty() ? "" : "    " + line).append('\n');
        }
        String wrapped = "async def __user_main__():\n"
                + "    \"\"\"Auto-generated wrapper for user code to support top-level await\"\"\"\n"
                + indented.substring(0, indented.length() - 1) + "\n"
                + "\n"
                + "if __name__ == \"__main__\":\n"
                + "    import asyncio\n"
                + "    asyncio.run(__user_main__())\n";
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lang", "py");
        body.put("code", wrapped);
        body.put("timeout", 15000);
        HttpResponse<String> response = http.send(
                request("/v1/exec", KEY)
                        .header("Content-Type", "application/json")
                        .header("User-Agent", "LibreChat/1.0")
                        .header(
                                "X-LibreChat-Code-Request-ID",
                                java.util.UUID.randomUUID().toString())
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(
                "no tools needed\n", json.readValue(response.body(), Map.class).get("stdout"));
    }

    /**
     * LibreChat's attached workspaces (bash in a persistent project: {@code X-LibreChat-Code-Workspace-ID}) are
     * refused with a code the client's {@code getCodeApiCapabilityErrorMessage} maps to a permanent capability
     * mismatch, instead of running as if project files would persist.
     */
    @Test
    void anAttachedWorkspaceIsRefusedAsACapabilityTheClientRecognises() throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("lang", "bash");
        body.put("code", LibreChatProgrammaticClient.BASH_GUARD + "\nls");
        body.put("tools", List.of());
        HttpResponse<String> response = http.send(
                request("/v1/exec/programmatic", KEY)
                        .header("Content-Type", "application/json")
                        .header("X-LibreChat-Code-Workspace-ID", "project-1")
                        .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(409, response.statusCode(), response.body());
        Object code = json.readValue(response.body(), Map.class).get("code");
        assertTrue(
                List.of(
                                "bridge_worker_mismatch",
                                "execution_profile_mismatch",
                                "capability_mismatch",
                                "unsupported_capability",
                                "stateful_workspace_unsupported")
                        .contains(code),
                "a code in the client's CODE_API_CAPABILITY_LIMITATIONS: " + response.body());
    }

    @Test
    void aCallerThatDisconnectsMidRunStopsTheExecutionWithinASecond() throws Exception {
        String marker = "53" + ThreadLocalRandom.current().nextInt(100_000, 999_999);
        HttpRequest exec = request("/exec", KEY)
                .header("Content-Type", "application/json")
                .header("User-Agent", "LibreChat/1.0")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"lang\":\"bash\",\"code\":\"sleep " + marker + " & wait\",\"timeout\":60000}"))
                .build();
        CompletableFuture<HttpResponse<String>> running = http.sendAsync(exec, HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(30))
                .until(() -> !HostProcesses.withArgument(marker).isEmpty());
        running.cancel(true); // the JDK client closes the connection, as node-fetch does on abort
        long start = System.nanoTime();
        assertTrue(
                HostProcesses.awaitGone(marker, 1_000).isEmpty(),
                "the process tree is gone within a second of the disconnect");
        await("the sandbox released")
                .atMost(Duration.ofSeconds(1))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> leased("bash") == 0);
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms <= 1_000, "released " + ms + " ms after the disconnect");
    }

    @SuppressWarnings("unchecked")
    private int leased(String language) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics/pool"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> languages =
                (Map<String, Object>) json.readValue(response.body(), Map.class).get("languages");
        return ((Number) ((Map<String, Object>) languages.get(language)).get("leased")).intValue();
    }
}
