package io.kubecoderun.funqyprobe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Why the exec CloudEvent is a hand-written receiver and not a {@code quarkus-funqy-knative-events} function
 * (issue: "the design's Quarkus extensions"). The exec contract needs a rate-limited or sandbox-less request
 * answered 429/503 with {@code Retry-After}, so the Knative Broker retries it later, and a request that can never
 * succeed answered so that it is not retried. Funqy 3.34 maps every exception of a function, and a body it cannot
 * read, to 500 with no header, and has no hook to choose a status. These assertions state Funqy's behaviour as it
 * is: if one of them fails, Funqy has learned to express the contract, and the exec event should be tried on it again.
 */
@QuarkusTest
class ExecFunqyProbeTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TestHTTPResource("/")
    URI root;

    private HttpResponse<String> binaryEvent(String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(root)
                        .header("Content-Type", "application/json")
                        .header("ce-id", "evt-1")
                        .header("ce-specversion", "1.0")
                        .header("ce-source", "/probe")
                        .header("ce-type", "io.kubecoderun.exec.request")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aResultIsAnsweredAsTheResultEvent() throws Exception {
        HttpResponse<String> ok = binaryEvent("{\"outcome\":\"ok\"}");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals(Optional.of("io.kubecoderun.exec.result"), ok.headers().firstValue("ce-type"));
    }

    @Test
    void aRateLimitedCallerCannotBeAnswered429WithRetryAfter() throws Exception {
        HttpResponse<String> limited = binaryEvent("{\"outcome\":\"rate_limited\"}");
        assertEquals(500, limited.statusCode(), "the contract needs 429; Funqy answers " + limited.statusCode());
        assertTrue(limited.headers().firstValue("Retry-After").isEmpty(), "and no Retry-After reaches the Broker");
    }

    @Test
    void aRequestThatCanNeverSucceedIsAnsweredAsIfItMightAndWouldBeRetried() throws Exception {
        HttpResponse<String> bad = binaryEvent("{\"outcome\":\"bad_request\"}");
        assertEquals(
                500,
                bad.statusCode(),
                "a permanent refusal must not look transient; Funqy answers " + bad.statusCode());
        HttpResponse<String> malformed = binaryEvent("{not json");
        assertEquals(
                500,
                malformed.statusCode(),
                "a malformed body (the contract: 4xx, never retried) is " + malformed.statusCode());
    }
}
