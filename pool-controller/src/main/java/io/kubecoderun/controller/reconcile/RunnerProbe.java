package io.kubecoderun.controller.reconcile;

import io.kubecoderun.runner.http.Json;
import io.kubecoderun.runner.wire.RunnerStatus;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;

/** Asks a runner for its {@code /status} before its pod is offered: only an unclaimed, unused runner is offered. */
public class RunnerProbe {
    /** A runner that takes longer than this to say whether it is claimed is not offered this round. */
    private static final Duration TIMEOUT = Duration.ofSeconds(2);

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(TIMEOUT).build();

    public Optional<RunnerStatus> status(String ip, int port) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create("http://" + ip + ":" + port + "/status")).timeout(TIMEOUT).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                return Optional.empty();
            }
            return Optional.of(RunnerStatus.fromJson(Json.parseObject(response.body())));
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
