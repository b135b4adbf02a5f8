package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code RATE_LIMIT_PER_MINUTE=0} is the documented off switch. The failure this pins: the settings reader refused
 * 0 as "must be positive", so the documented way to switch the limit off aborted the start.
 */
@QuarkusTest
@TestProfile(StandaloneRateLimitOffTest.Unlimited.class)
class StandaloneRateLimitOffTest extends StandaloneHttp {

    /** A burst of one would refuse the second request if the limit were on. */
    public static class Unlimited extends StandaloneApiTest.Profile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(super.getConfigOverrides());
            config.put("RATE_LIMIT_PER_MINUTE", "0");
            config.put("RATE_LIMIT_BURST", "1");
            config.put("POD_POOL_PY", "0");
            return config;
        }
    }

    @Test
    void theServiceStartsAndNoRequestIsEverLimited() throws Exception {
        for (int i = 0; i < 20; i++) {
            HttpResponse<String> response = http.send(
                    request("/files/" + "s".repeat(21), KEY).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, response.statusCode(), "request " + i + ": " + response.body());
        }
    }
}
