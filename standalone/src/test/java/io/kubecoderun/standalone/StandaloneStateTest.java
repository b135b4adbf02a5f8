package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The /state routes over HTTP, around states saved by real Python executions. */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneStateTest extends StandaloneHttp {

    @SuppressWarnings("unchecked")
    private Map<String, Object> exec(String code, String session) throws Exception {
        String body = "{\"lang\":\"py\",\"code\":" + json.writeValueAsString(code)
                + (session == null ? "" : ",\"session_id\":\"" + session + "\"") + "}";
        HttpResponse<String> response = http.send(
                request("/exec", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readValue(response.body(), Map.class);
    }

    /**
     * The PingSource of knative/base/eventing.yaml wakes a scaled-to-zero state function with a ping event at
     * {@code /internal/archive-state}. The profile's archive horizon (a day) covers every state, so the pass
     * archives the one saved here; a second ping within 30 seconds is skipped. No credentials: the trigger can only
     * start the pass the schedule runs anyway.
     */
    @Test
    @SuppressWarnings("unchecked")
    void aPingEventRunsOneArchivePassAndASecondPingWithinThirtySecondsIsSkipped() throws Exception {
        exec("archived_value = 7", null);
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/internal/archive-state"))
                .header("Content-Type", "application/json")
                .header("ce-specversion", "1.0")
                .header("ce-type", "dev.knative.sources.ping")
                .header("ce-source", "/apis/v1/namespaces/kcr/pingsources/p")
                .header("ce-id", "ping-1")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"archive\"}"))
                .build();
        HttpResponse<String> first = http.send(ping, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, first.statusCode(), first.body());
        Map<String, Object> pass = json.readValue(first.body(), Map.class);
        assertEquals(true, pass.get("ran"), first.body());
        assertTrue(((Number) pass.get("archived")).intValue() >= 1, first.body());

        HttpResponse<String> second = http.send(ping, HttpResponse.BodyHandlers.ofString());
        assertEquals(200, second.statusCode());
        assertEquals(Map.of("ran", false), json.readValue(second.body(), Map.class));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSavedStateIsDownloadableWithItsEtagAndCanBeUploadedIntoAnotherSession() throws Exception {
        Map<String, Object> first = exec("counter = 41", null);
        String session = (String) first.get("session_id");
        HttpResponse<byte[]> state =
                http.send(request("/v1/state/" + session, KEY).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, state.statusCode());
        assertEquals(2, state.body()[0], "version byte 2: LZ4");
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(state.body()));
        assertEquals(first.get("state_hash"), sha);
        assertEquals("\"" + sha + "\"", state.headers().firstValue("ETag").orElseThrow());
        assertEquals(
                304,
                http.send(
                                request("/state/" + session, KEY)
                                        .header("If-None-Match", "\"" + sha + "\"")
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray())
                        .statusCode());

        Map<String, Object> info = json.readValue(
                http.send(
                                request("/state/" + session + "/info", KEY)
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body(),
                Map.class);
        assertEquals(true, info.get("exists"));
        assertEquals(sha, info.get("hash"));
        assertEquals(state.body().length, ((Number) info.get("size_bytes")).intValue());
        assertEquals("redis", info.get("source"));

        String other = (String) exec("print('fresh')", null).get("session_id");
        HttpResponse<String> uploaded = http.send(
                request("/state/" + other, KEY)
                        .POST(HttpRequest.BodyPublishers.ofByteArray(state.body()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, uploaded.statusCode());
        assertEquals(
                Map.of("message", "state_uploaded", "size", state.body().length),
                json.readValue(uploaded.body(), Map.class));
        assertEquals("42\n", exec("print(counter + 1)", other).get("stdout"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void invalidStatesAreRefusedAndDeletesAreFinal() throws Exception {
        String session = (String) exec("x = 1", null).get("session_id");
        for (byte[] bad : new byte[][] {{2}, {7, 1, 2}, {}}) {
            HttpResponse<String> r = http.send(
                    request("/state/" + session, KEY)
                            .POST(HttpRequest.BodyPublishers.ofByteArray(bad))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(400, r.statusCode(), r.body());
        }
        byte[] big = new byte[(1 << 20) + 2];
        big[0] = 1;
        assertEquals(
                413,
                http.send(
                                request("/state/" + session, KEY)
                                        .POST(HttpRequest.BodyPublishers.ofByteArray(big))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        assertEquals(
                404,
                http.send(
                                request("/state/" + session, StandaloneApiTest.OTHER_KEY)
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .statusCode(),
                "another principal");
        assertEquals(
                204,
                http.send(request("/state/" + session, KEY).DELETE().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        assertEquals(
                404,
                http.send(request("/state/" + session, KEY).GET().build(), HttpResponse.BodyHandlers.ofString())
                        .statusCode());
        Map<String, Object> info = json.readValue(
                http.send(
                                request("/state/" + session + "/info", KEY)
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body(),
                Map.class);
        assertEquals(false, info.get("exists"));
        assertTrue(info.containsKey("source"));
    }
}
