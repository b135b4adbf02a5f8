package io.kubecoderun.tests.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Calls without a valid credential, against the standalone app: each one refused with the API's 401 body. */
class CredentialsAttackIT {
    static StandaloneTarget target;

    @BeforeAll
    static void start() throws Exception {
        target = StandaloneTarget.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        if (target != null) {
            target.close();
        }
    }

    @AfterEach
    void aNormalRequestStillWorks() throws Exception {
        target.normalRequestSucceeds();
    }

    @SuppressWarnings("unchecked")
    private static void refused(HttpResponse<String> response) throws Exception {
        assertEquals(401, response.statusCode(), response.body());
        Map<String, Object> body = target.json.readValue(response.body(), Map.class);
        assertEquals("unauthorized", body.get("error_type"), response.body());
        assertNotNull(body.get("request_id"), response.body());
    }

    @Test
    void noCredentialsAreRefused() throws Exception {
        refused(target.postJson("/exec", null, "{\"lang\":\"py\",\"code\":\"print(1)\"}"));
    }

    @Test
    void aWrongKeyIsRefused() throws Exception {
        refused(target.postJson("/exec", "attack-key-0123456789abcdeX", "{\"lang\":\"py\",\"code\":\"print(1)\"}"));
    }

    @Test
    void aKeyInTheQueryStringIsNotACredential() throws Exception {
        refused(target.postJson(
                "/exec?api_key=" + StandaloneTarget.KEY + "&x-api-key=" + StandaloneTarget.KEY,
                null,
                "{\"lang\":\"py\",\"code\":\"print(1)\"}"));
    }
}
