package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The public {@code /exec} contract over HTTP on the standalone app, with real sandboxed runners: routing at the
 * root, under {@code /v1} and with doubled slashes, every credential form, and the error bodies.
 */
@QuarkusTest
@TestProfile(StandaloneApiTest.Profile.class)
class StandaloneApiTest {
    static final String KEY = "test-key-0123456789";
    static final String OTHER_KEY = "other-key-9876543210";
    static final String MASTER_KEY = "master-key-5555555555";
    static final KeyPair JWT_KEYS;

    static {
        // Deterministic: Quarkus may load this class twice (test and app class loaders), and the profile's
        // public key must match the key the test signs with.
        try {
            java.security.SecureRandom seeded = java.security.SecureRandom.getInstance("SHA1PRNG");
            seeded.setSeed("kubecoderun-standalone-test".getBytes(StandardCharsets.UTF_8));
            KeyPairGenerator generator = KeyPairGenerator.getInstance("Ed25519");
            generator.initialize(java.security.spec.NamedParameterSpec.ED25519, seeded);
            JWT_KEYS = generator.generateKeyPair();
        } catch (Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            try {
                String pem = "-----BEGIN PUBLIC KEY-----\n"
                        + Base64.getMimeEncoder()
                                .encodeToString(JWT_KEYS.getPublic().getEncoded())
                        + "\n-----END PUBLIC KEY-----";
                return Map.ofEntries(
                        Map.entry("API_KEY", KEY),
                        Map.entry("API_KEYS", OTHER_KEY),
                        Map.entry("KCR_GENERATE_API_KEY", "false"),
                        Map.entry("MAX_FILE_SIZE_MB", "1"),
                        Map.entry("MAX_FILES_PER_SESSION", "3"),
                        Map.entry("STATE_MAX_SIZE_MB", "1"),
                        // A horizon beyond the state TTL: every archive pass archives every state.
                        Map.entry("STATE_ARCHIVE_AFTER_SECONDS", "86400"),
                        Map.entry("KCR_CENSUS_INTERVAL", "1s"),
                        Map.entry("MASTER_API_KEY", MASTER_KEY),
                        Map.entry(
                                "KCR_DATA_DIR",
                                Files.createTempDirectory("kcr-standalone").toString()),
                        Map.entry("LIBRECHAT_JWT_PUBLIC_KEY", pem),
                        Map.entry("POD_POOL_PY", "1"),
                        Map.entry("POD_POOL_JS", "0"),
                        Map.entry(
                                "KCR_RUNNER_JAR",
                                Path.of(System.getProperty("runner.jar")).toString()),
                        Map.entry(
                                "KCR_RUNNER_JVM_OPTIONS",
                                Path.of(System.getProperty("runner.jvm.options"))
                                        .toString()),
                        Map.entry("quarkus.http.test-port", "0"));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();

    record Reply(int status, Map<String, Object> body, HttpResponse<String> raw) {}

    @SuppressWarnings("unchecked")
    Reply post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        Map<String, Object> parsed = response.body().isEmpty() ? Map.of() : json.readValue(response.body(), Map.class);
        return new Reply(response.statusCode(), parsed, response);
    }

    static String jwt(long expOffsetSeconds, String audience) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        long now = Instant.now().getEpochSecond();
        String input = b64.encodeToString("{\"alg\":\"EdDSA\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(("{\"iss\":\"librechat\",\"aud\":\"" + audience + "\",\"sub\":\"u1\",\"exp\":"
                                + (now + expOffsetSeconds) + "}")
                        .getBytes(StandardCharsets.UTF_8));
        Signature signer = Signature.getInstance("Ed25519");
        signer.initSign(JWT_KEYS.getPrivate());
        signer.update(input.getBytes(StandardCharsets.US_ASCII));
        return input + "." + b64.encodeToString(signer.sign());
    }

    @Test
    void execAnswersAtTheRootUnderV1AndWithDoubledSlashes() throws Exception {
        for (String path : new String[] {"/exec", "/v1/exec", "//exec", "/v1//exec"}) {
            Reply reply = post(
                    path, "{\"lang\":\"python\",\"code\":\"print(40 + 2)\",\"unknown\":{\"x\":[1]}}", "x-api-key", KEY);
            assertEquals(200, reply.status(), path + ": " + reply.raw().body());
            assertEquals("42\n", reply.body().get("stdout"));
            assertEquals("ok", reply.body().get("status"));
            assertEquals(21, ((String) reply.body().get("session_id")).length());
        }
    }

    @Test
    void everyCredentialFormWorksAndAHeaderWinsOverTheBody() throws Exception {
        String code = "{\"lang\":\"py\",\"code\":\"print(1)\"";
        assertEquals(
                200, post("/exec", code + "}", "Authorization", "Bearer " + KEY).status());
        assertEquals(
                200, post("/exec", code + "}", "Authorization", "ApiKey " + KEY).status());
        assertEquals(
                200,
                post("/exec", code + ",\"LIBRECHAT_CODE_API_KEY\":\"" + KEY + "\"}")
                        .status());
        assertEquals(200, post("/exec", code + ",\"apiKey\":\"" + KEY + "\"}").status());
        assertEquals(
                401,
                post("/exec", code + ",\"api_key\":\"" + KEY + "\"}", "x-api-key", "wrong")
                        .status(),
                "a wrong header is not rescued by a right body");
        assertEquals(
                200,
                post("/exec", code + "}", "Authorization", "Bearer " + jwt(300, "codeapi"))
                        .status());
    }

    @Test
    void badCredentialsAndTokensAre401WithAJsonBody() throws Exception {
        String code = "{\"lang\":\"py\",\"code\":\"print(1)\"}";
        for (String[] headers : new String[][] {
            {},
            {"x-api-key", "nope"},
            {"Authorization", "Bearer " + jwtOrFail(-600, "codeapi")},
            {"Authorization", "Bearer " + jwtOrFail(300, "elsewhere")}
        }) {
            Reply reply = post("/exec", code, headers);
            assertEquals(401, reply.status(), String.join(" ", headers));
            assertEquals("unauthorized", reply.body().get("error_type"));
            assertEquals(21, ((String) reply.body().get("request_id")).length());
            assertTrue(!reply.raw().body().contains(KEY), "the key must never be echoed");
        }
    }

    private static String jwtOrFail(long exp, String aud) {
        try {
            return jwt(exp, aud);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void invalidInputIs400AndMalformedJsonIs422() throws Exception {
        Reply unknown = post("/exec", "{\"lang\":\"cobol\",\"code\":\"x\"}", "x-api-key", KEY);
        assertEquals(400, unknown.status());
        assertEquals("unsupported_language", unknown.body().get("error_type"));
        Reply empty = post("/exec", "{\"lang\":\"py\",\"code\":\"  \"}", "x-api-key", KEY);
        assertEquals(400, empty.status());
        assertEquals("empty_code", empty.body().get("error_type"));
        Reply malformed = post("/exec", "{\"lang\":", "x-api-key", KEY);
        assertEquals(422, malformed.status());
        assertEquals("malformed_request", malformed.body().get("error_type"));
        Reply unsafe = post(
                "/exec",
                "{\"lang\":\"py\",\"code\":\"1\",\"files\":[{\"id\":\"a\",\"session_id\":\"b\",\"name\":\"../x\"}]}",
                "x-api-key",
                KEY);
        assertEquals(400, unsafe.status());
        assertEquals("unsafe_filename", unsafe.body().get("error_type"));
    }

    @Test
    void failingCodeIs200WithTheFailureInStderr() throws Exception {
        Reply reply = post("/exec", "{\"lang\":\"py\",\"code\":\"1/0\"}", "x-api-key", KEY);
        assertEquals(200, reply.status());
        assertEquals("error", reply.body().get("status"));
        assertNotEquals(0, reply.body().get("exit_code"));
        assertTrue(((String) reply.body().get("stderr")).contains("ZeroDivisionError"));
    }

    @Test
    void pythonStateCarriesAcrossCallsOfOneSession() throws Exception {
        Reply first = post("/exec", "{\"lang\":\"py\",\"code\":\"counter = 100\"}", "x-api-key", KEY);
        assertEquals(true, first.body().get("has_state"));
        String session = (String) first.body().get("session_id");
        Reply second = post(
                "/exec",
                "{\"lang\":\"py\",\"code\":\"print(counter + 1)\",\"session_id\":\"" + session + "\"}",
                "x-api-key",
                KEY);
        assertEquals("101\n", second.body().get("stdout"));
        assertEquals(session, second.body().get("session_id"));
    }

    @Test
    void healthNeedsNoCredentials() throws Exception {
        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/health"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode());
    }
}
