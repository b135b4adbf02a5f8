package io.kubecoderun.standalone;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * What {@code @librechat/agents} 3.9.2 sends for programmatic tool calling, byte for byte where it matters:
 * {@code makeRequest} in {@code src/tools/ProgrammaticToolCalling.ts} posts {@code Content-Type: application/json},
 * {@code User-Agent: LibreChat/1.0}, the host's auth headers and — when the run has an abort signal, as it does in
 * LibreChat — a fresh {@code X-LibreChat-Code-Request-ID} (a UUID) per request; the first body is
 * {@code JSON.stringify({code, tools, session_id, timeout, files?})} ({@code lang: 'bash'} first for bash, the code
 * prefixed with the {@code $!} guard), a continuation {@code {continuation_token, tool_results}}; it loops while
 * {@code status === 'tool_call_required'}, at most 20 round trips, and {@code executeTools} answers each call with
 * {@code {call_id, result, is_error: false}} or {@code {call_id, result: null, is_error: true, error_message}}.
 */
final class LibreChatProgrammaticClient {
    /** {@code BASH_LAST_BACKGROUND_PID_GUARD} of BashProgrammaticToolCalling.ts. */
    static final String BASH_GUARD = ": &\nwait \"$!\"";

    private static final int MAX_ROUND_TRIPS = 20;

    /** A tool the agent may call: its definition as the client sends it, and what it does. */
    record Tool(String name, String description, Function<Object, Object> call) {
        Map<String, Object> definition() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("name", name);
            json.put("description", description);
            json.put("parameters", Map.of("type", "object", "properties", Map.of()));
            return json;
        }
    }

    /** Every request and answer of one tool invocation, in order. */
    record Exchange(Map<String, Object> request, String requestId, int status, Map<String, Object> answer) {}

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();
    private final String baseUrl;
    private final Map<String, String> authHeaders;
    final List<Exchange> exchanges = new ArrayList<>();

    LibreChatProgrammaticClient(String baseUrl, Map<String, String> authHeaders) {
        this.baseUrl = baseUrl;
        this.authHeaders = authHeaders;
    }

    /** {@code run_tools_with_code} (Python) or its bash twin: the whole loop; returns the last answer. */
    Map<String, Object> run(String lang, String code, List<Tool> tools, String sessionId, Integer timeoutMs)
            throws Exception {
        Map<String, Object> body = startBody(lang, code, tools, sessionId, timeoutMs);
        Map<String, Object> response = post(body);
        int roundTrip = 0;
        while ("tool_call_required".equals(response.get("status"))) {
            if (++roundTrip > MAX_ROUND_TRIPS) {
                throw new IllegalStateException("Exceeded maximum round trips (" + MAX_ROUND_TRIPS + ")");
            }
            List<Map<String, Object>> results = new ArrayList<>();
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> calls = (List<Map<String, Object>>) response.get("tool_calls");
            for (Map<String, Object> call : calls) {
                Tool tool = tools.stream()
                        .filter(t -> t.name().equals(call.get("name")))
                        .findFirst()
                        .orElse(null);
                Map<String, Object> result = new LinkedHashMap<>();
                result.put("call_id", call.get("id"));
                if (tool == null) {
                    result.put("result", null);
                    result.put("is_error", true);
                    result.put("error_message", "Tool '" + call.get("name") + "' not found.");
                } else {
                    try {
                        result.put("result", tool.call().apply(call.get("input")));
                        result.put("is_error", false);
                    } catch (RuntimeException e) {
                        result.put("result", null);
                        result.put("is_error", true);
                        result.put("error_message", e.getMessage());
                    }
                }
                results.add(result);
            }
            Map<String, Object> next = continuation(response, results);
            response = post(next);
        }
        return response;
    }

    /**
     * The first body as the client builds it: {@code lang: 'bash'} and the {@code $!} guard first for bash; then
     * code, tools, session_id (when there is one: JSON.stringify drops undefined), timeout (null: left out).
     */
    static Map<String, Object> startBody(
            String lang, String code, List<Tool> tools, String sessionId, Integer timeoutMs) {
        Map<String, Object> body = new LinkedHashMap<>();
        if (lang.equals("bash")) {
            body.put("lang", "bash");
            body.put("code", BASH_GUARD + "\n" + code);
        } else {
            body.put("code", code);
        }
        body.put("tools", tools.stream().map(Tool::definition).toList());
        if (sessionId != null) {
            body.put("session_id", sessionId);
        }
        if (timeoutMs != null) {
            body.put("timeout", timeoutMs);
        }
        return body;
    }

    /** A continuation: the last answer's token and the results. */
    static Map<String, Object> continuation(Map<String, Object> answer, List<?> results) {
        Map<String, Object> next = new LinkedHashMap<>();
        next.put("continuation_token", answer.get("continuation_token"));
        next.put("tool_results", results);
        return next;
    }

    /** One successful result, as {@code executeTools} builds it. */
    static Map<String, Object> result(Object callId, Object value) {
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("call_id", callId);
        result.put("result", value);
        result.put("is_error", false);
        return result;
    }

    /** One {@code makeRequest}: a new request id each time, as the client makes one per request. */
    @SuppressWarnings("unchecked")
    Map<String, Object> post(Map<String, Object> body) throws Exception {
        String requestId = UUID.randomUUID().toString();
        HttpResponse<String> response = http.send(request(body, requestId), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> answer = response.body().isEmpty() ? Map.of() : json.readValue(response.body(), Map.class);
        exchanges.add(new Exchange(body, requestId, response.statusCode(), answer));
        if (response.statusCode() != 200) {
            throw new IllegalStateException("HTTP " + response.statusCode() + ": " + response.body());
        }
        return answer;
    }

    HttpRequest request(Map<String, Object> body, String requestId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/exec/programmatic"))
                .header("Content-Type", "application/json")
                .header("User-Agent", "LibreChat/1.0")
                .header("X-LibreChat-Code-Request-ID", requestId)
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
        authHeaders.forEach(request::header);
        return request.build();
    }

    /** {@code requestCancellation}: {@code POST {endpoint}/cancel {request_id}} with the same headers. */
    HttpResponse<String> cancel(String requestId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + "/exec/programmatic/cancel"))
                .header("Content-Type", "application/json")
                .header("User-Agent", "LibreChat/1.0")
                .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(Map.of("request_id", requestId))));
        authHeaders.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
