package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The admin API for stored keys over HTTP: only the master key, a key shown once, revocation at once. */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneAdminTest extends StandaloneHttp {
    static final String MASTER = StandaloneApiTest.MASTER_KEY;

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder create(String key, String body) {
        return request("/v1/admin/keys", key)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    @SuppressWarnings("unchecked")
    void aKeyCreatedByTheMasterWorksAtOnceIsListedWithoutItsSecretAndStopsWhenDeleted() throws Exception {
        HttpResponse<String> created = send(create(MASTER, "{\"name\":\"team a\",\"ignored\":1}"));
        assertEquals(201, created.statusCode(), created.body());
        Map<String, Object> key = json.readValue(created.body(), Map.class);
        String secret = (String) key.get("key");
        String id = (String) key.get("id");
        assertTrue(secret.startsWith("kcr_"), created.body());
        assertEquals("team a", key.get("name"));

        HttpResponse<String> listing = send(request("/admin/keys", MASTER).GET());
        assertEquals(200, listing.statusCode());
        List<Map<String, Object>> keys = json.readValue(listing.body(), List.class);
        assertTrue(
                keys.stream().anyMatch(k -> id.equals(k.get("id")) && "team a".equals(k.get("name"))), listing.body());
        assertFalse(listing.body().contains(secret), "the listing never shows a key");

        // The new key is a caller like any other: its own sessions, its own principal.
        HttpResponse<String> upload =
                send(request("/files/V1StGXR8_Z5jdHi6B-myT", secret).GET());
        assertEquals(200, upload.statusCode(), upload.body());

        assertEquals(204, send(request("/admin/keys/" + id, MASTER).DELETE()).statusCode());
        assertEquals(
                401, send(request("/files/V1StGXR8_Z5jdHi6B-myT", secret).GET()).statusCode(), "revoked");
        assertEquals(404, send(request("/admin/keys/" + id, MASTER).DELETE()).statusCode());
    }

    @Test
    void onlyTheMasterKeyMayUseTheAdminApi() throws Exception {
        HttpResponse<String> other = send(create(KEY, "{\"name\":\"x\"}"));
        assertEquals(403, other.statusCode(), other.body());
        assertTrue(other.body().contains("\"error_type\":\"forbidden\""), other.body());
        assertEquals(401, send(create("not-a-key", "{\"name\":\"x\"}")).statusCode());
        assertEquals(
                401,
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/keys"))
                                .GET())
                        .statusCode());
        // A key in the body, accepted by /exec for old clients, does not open the admin API.
        assertEquals(
                401,
                send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/admin/keys"))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(
                                        "{\"name\":\"x\",\"api_key\":\"" + MASTER + "\"}")))
                        .statusCode());
    }

    @Test
    void badNamesAndBodiesAreRefused() throws Exception {
        for (String body : List.of(
                "{}",
                "{\"name\":\"\"}",
                "{\"name\":\"../etc\"}",
                "{\"name\":\"" + "a".repeat(65) + "\"}",
                "[]",
                "{\"name\":7}")) {
            HttpResponse<String> response = send(create(MASTER, body));
            assertEquals(400, response.statusCode(), body + " -> " + response.body());
        }
        assertEquals(422, send(create(MASTER, "{not json")).statusCode());
        assertEquals(
                404, send(request("/admin/keys/not-an-id", MASTER).DELETE()).statusCode());
    }
}
