package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The exec CloudEvent in binary and structured mode, as a Knative Broker delivers it. */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneEventsTest extends StandaloneHttp {

    @Test
    @SuppressWarnings("unchecked")
    void aBinaryModeRequestIsAnsweredWithAResultEvent() throws Exception {
        HttpResponse<String> response = http.send(
                binaryEvent("evt-1", "/agents/test", "kcrapikey", KEY, "{\"lang\":\"py\",\"code\":\"print(6 * 7)\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(
                "io.kubecoderun.exec.result",
                response.headers().firstValue("ce-type").orElseThrow());
        assertEquals("/agents/test", response.headers().firstValue("ce-source").orElseThrow());
        Map<String, Object> data = json.readValue(response.body(), Map.class);
        assertEquals("42\n", data.get("stdout"));
        assertEquals(
                data.get("session_id"),
                response.headers().firstValue("ce-subject").orElseThrow());
    }

    @Test
    @SuppressWarnings("unchecked")
    void aStructuredModeRequestWithTheKeyInItsDataWorks() throws Exception {
        String event = json.writeValueAsString(Map.of(
                "specversion",
                "1.0",
                "type",
                "io.kubecoderun.exec.request",
                "source",
                "/agents/structured",
                "id",
                "evt-2",
                "datacontenttype",
                "application/json",
                "data",
                Map.of("lang", "bash", "code", "echo structured", "api_key", KEY)));
        HttpResponse<String> response = http.send(
                request("/", "unused")
                        .header("Content-Type", "application/cloudevents+json")
                        .POST(HttpRequest.BodyPublishers.ofString(event))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        Map<String, Object> answer = json.readValue(response.body(), Map.class);
        assertEquals("io.kubecoderun.exec.result", answer.get("type"));
        assertEquals("structured\n", ((Map<String, Object>) answer.get("data")).get("stdout"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void anEventWithoutCredentialsIsAnsweredWithAnErrorEventAndRunsNothing() throws Exception {
        HttpResponse<String> response = http.send(
                binaryEvent(
                        "evt-3",
                        "/agents/anon",
                        "kcrprincipal",
                        "key:admin",
                        "{\"lang\":\"py\",\"code\":\"print(1)\"}"),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(
                "io.kubecoderun.exec.error",
                response.headers().firstValue("ce-type").orElseThrow());
        Map<String, Object> data = json.readValue(response.body(), Map.class);
        assertEquals("unauthorized", data.get("error_type"));
        assertTrue(!response.body().contains("stdout"), "the principal extension is not trusted by default");
    }
}
