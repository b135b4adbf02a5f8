package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
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
    void aRedeliveredEventGetsItsFirstAnswerAgainAndRunsOnce() throws Exception {
        String id = "evt-dup-" + UUID.randomUUID();
        String code = "{\"lang\":\"py\",\"code\":\"import uuid; print(uuid.uuid4())\"}";
        HttpResponse<String> first =
                http.send(binaryEvent(id, "/agents/dup", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> again =
                http.send(binaryEvent(id, "/agents/dup", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, first.statusCode(), first.body());
        assertEquals(200, again.statusCode(), again.body());
        Map<String, Object> ran = json.readValue(first.body(), Map.class);
        Map<String, Object> replayed = json.readValue(again.body(), Map.class);
        assertEquals(ran, replayed, "the same answer, not a second run (which would print another uuid)");
        assertEquals(
                first.headers().firstValue("ce-id").orElseThrow(),
                again.headers().firstValue("ce-id").orElseThrow(),
                "the same reply id, so whoever receives both replies can drop one");
        assertEquals(
                "io.kubecoderun.exec.result",
                again.headers().firstValue("ce-type").orElseThrow());
        assertEquals(
                ran.get("session_id"), again.headers().firstValue("ce-subject").orElseThrow());

        // Delivered again in structured mode: the same answer in that mode.
        String structured = json.writeValueAsString(Map.of(
                "specversion",
                "1.0",
                "type",
                "io.kubecoderun.exec.request",
                "source",
                "/agents/dup",
                "id",
                id,
                "kcrapikey",
                KEY,
                "data",
                json.readValue(code, Map.class)));
        HttpResponse<String> asStructured = http.send(
                request("/", "unused")
                        .header("Content-Type", "application/cloudevents+json")
                        .POST(HttpRequest.BodyPublishers.ofString(structured))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        Map<String, Object> envelope = json.readValue(asStructured.body(), Map.class);
        assertEquals(ran, envelope.get("data"));
        assertEquals(first.headers().firstValue("ce-id").orElseThrow(), envelope.get("id"));

        // Another id from the same source is another event: it runs.
        HttpResponse<String> other = http.send(
                binaryEvent(id + "-2", "/agents/dup", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        assertNotEquals(
                ran.get("stdout"), json.readValue(other.body(), Map.class).get("stdout"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void anotherCallersEventWithTheSameSourceAndIdRunsAndSeesNothingOfTheFirst() throws Exception {
        String id = "evt-shared-" + UUID.randomUUID();
        String code = "{\"lang\":\"py\",\"code\":\"import uuid; print(uuid.uuid4())\"}";
        HttpResponse<String> mine = http.send(
                binaryEvent(id, "/agents/same", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> theirs = http.send(
                binaryEvent(id, "/agents/same", "kcrapikey", StandaloneApiTest.OTHER_KEY, code),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, mine.statusCode(), mine.body());
        assertEquals(200, theirs.statusCode(), theirs.body());
        Map<String, Object> a = json.readValue(mine.body(), Map.class);
        Map<String, Object> b = json.readValue(theirs.body(), Map.class);
        assertNotEquals(a.get("stdout"), b.get("stdout"), "each caller's event ran");
        assertNotEquals(a.get("session_id"), b.get("session_id"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aRedeliveryWhileTheEventStillRunsIsAConflictTheBrokerRetries() throws Exception {
        String id = "evt-slow-" + UUID.randomUUID();
        String code = "{\"lang\":\"py\",\"code\":\"import time, uuid; time.sleep(3); print(uuid.uuid4())\"}";
        CompletableFuture<HttpResponse<String>> running = http.sendAsync(
                binaryEvent(id, "/agents/slow", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        Thread.sleep(1000);
        HttpResponse<String> meanwhile = http.send(
                binaryEvent(id, "/agents/slow", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        assertEquals(409, meanwhile.statusCode(), meanwhile.body());
        assertEquals(
                "request_id_in_use", json.readValue(meanwhile.body(), Map.class).get("error_type"));
        HttpResponse<String> first = running.get(60, TimeUnit.SECONDS);
        assertEquals(200, first.statusCode(), first.body());
        HttpResponse<String> after = http.send(
                binaryEvent(id, "/agents/slow", "kcrapikey", KEY, code), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, after.statusCode(), after.body());
        assertEquals(
                json.readValue(first.body(), Map.class).get("stdout"),
                json.readValue(after.body(), Map.class).get("stdout"),
                "the retry after the end gets the answer");
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
