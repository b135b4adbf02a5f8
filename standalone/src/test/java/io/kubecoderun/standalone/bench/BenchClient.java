package io.kubecoderun.standalone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the bench asks of the running app, over HTTP only: {@code POST /exec} of a workload (its answer checked) and
 * {@code GET /metrics/pool}. Nothing here knows how the app makes its sandboxes.
 */
final class BenchClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String base;
    private final String key;

    BenchClient(String base, String key) {
        this.base = base;
        this.key = key;
    }

    /** One execution; a non-200 answer or a wrong output throws. */
    @SuppressWarnings("unchecked")
    void exec(Workload workload) throws Exception {
        Map<String, Object> body = Map.of("lang", workload.lang(), "code", workload.code(), "timeout", 60_000);
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/exec"))
                        .header("x-api-key", key)
                        .header("Content-Type", "application/json")
                        .timeout(Duration.ofSeconds(90))
                        .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(workload.id() + ": " + response.statusCode() + " " + response.body());
        }
        Map<String, Object> answer = JSON.readValue(response.body(), Map.class);
        if (!workload.stdout().equals(answer.get("stdout"))) {
            throw new IllegalStateException(workload.id() + ": wrong answer " + response.body());
        }
        if (workload.output() != null) {
            List<Map<String, Object>> files = (List<Map<String, Object>>) answer.get("files");
            if (files == null || files.stream().noneMatch(f -> workload.output().equals(f.get("name")))) {
                throw new IllegalStateException(workload.id() + ": no " + workload.output() + " in " + response.body());
            }
        }
    }

    /** {@code /metrics/pool}'s figures per language. */
    @SuppressWarnings("unchecked")
    Map<String, Map<String, Object>> pools() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/metrics/pool"))
                        .timeout(Duration.ofSeconds(10))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("/metrics/pool: " + response.statusCode());
        }
        return (Map<String, Map<String, Object>>)
                JSON.readValue(response.body(), Map.class).get("languages");
    }

    /** Whether every language's pool has at least the given ready runners. */
    boolean full(Map<String, Integer> targets) throws IOException, InterruptedException {
        Map<String, Map<String, Object>> pools = pools();
        for (Map.Entry<String, Integer> target : targets.entrySet()) {
            if (((Number) pools.get(target.getKey()).get("ready")).intValue() < target.getValue()) {
                return false;
            }
        }
        return true;
    }

    /** Waits until {@link #full}, the app's start included; throws after {@code seconds}. */
    void waitFull(Map<String, Integer> targets, int seconds) throws Exception {
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < until) {
            try {
                if (full(targets)) {
                    return;
                }
            } catch (IOException notYet) {
                // the app is still starting
            }
            Thread.sleep(50);
        }
        throw new IllegalStateException("the pools did not fill within " + seconds + " s: " + targets);
    }

    /** Hits, misses and cold starts of one language so far, to tell in a scenario how often the pool ran dry. */
    Map<String, Long> counters(String language) throws IOException, InterruptedException {
        Map<String, Object> pool = pools().get(language);
        Map<String, Long> out = new LinkedHashMap<>();
        for (String name : List.of("hits", "wait_hits", "misses", "cold_starts")) {
            out.put(name, ((Number) pool.get(name)).longValue());
        }
        return out;
    }
}
