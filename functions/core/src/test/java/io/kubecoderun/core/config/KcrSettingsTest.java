package io.kubecoderun.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.registry.config.StrictBoolean;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The functions' settings as the mapping reads them from the environment's names: defaults, names, refusals. */
class KcrSettingsTest {

    private static SmallRyeConfig config(Map<String, String> env) {
        return new SmallRyeConfigBuilder()
                .addDefaultInterceptors()
                .withInterceptors(new ObjectStoreNames())
                .withSources(new PropertiesConfigSource(env, "environment", 300))
                .withSources(
                        new PropertiesConfigSource(Map.of("user.home", System.getProperty("user.home")), "system", 400))
                .withMapping(KcrSettings.class)
                .withMapping(ObjectStoreSettings.class)
                .build();
    }

    private static KcrSettings settings(Map<String, String> env) {
        return config(env).getConfigMapping(KcrSettings.class);
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        KcrSettings s = settings(Map.of());
        assertEquals(System.getProperty("user.home") + "/.kubecoderun", s.dataDir());
        assertEquals(Duration.ofSeconds(300), s.maxExecutionTime());
        assertEquals(25L << 20, s.maxFileBytes());
        assertEquals(50, s.maxOutputFiles());
        assertEquals(50, s.maxUploadFiles());
        assertEquals(Duration.ofHours(24), s.sessionTtl());
        assertEquals(Duration.ofSeconds(7200), s.stateTtl());
        assertEquals(50L << 20, s.maxStateBytes());
        assertEquals(Duration.ofSeconds(600), s.stateArchiveAfter());
        assertEquals(Duration.ofDays(7), s.stateArchiveRetention());
        assertEquals(600, s.rateLimitPerMinute());
        assertEquals(120, s.rateLimitBurst());
        assertEquals("librechat", s.jwtIssuer());
        assertEquals("codeapi", s.jwtAudience());
        assertFalse(s.trustedNetwork());
        assertFalse(s.generateKeyIfNone());
        assertEquals(Optional.empty(), s.apiKey());
        assertEquals(
                Optional.empty(),
                config(Map.of()).getConfigMapping(ObjectStoreSettings.class).endpoint(),
                "no MINIO_ENDPOINT: files on disk");
        assertEquals(
                "kubecoderun",
                config(Map.of()).getConfigMapping(ObjectStoreSettings.class).bucket());
    }

    @Test
    void everyOriginalNameIsRead() {
        KcrSettings s = settings(Map.ofEntries(
                Map.entry("KCR_DATA_DIR", "/data"),
                Map.entry("API_KEY", "k1"),
                Map.entry("API_KEYS", "k2,k3"),
                Map.entry("MASTER_API_KEY", "m"),
                Map.entry("LIBRECHAT_JWT_PUBLIC_KEY", "pem"),
                Map.entry("LIBRECHAT_JWT_ISSUER", "lc"),
                Map.entry("LIBRECHAT_JWT_AUDIENCE", "api"),
                Map.entry("KCR_TRUSTED_NETWORK", "yes"),
                Map.entry("KCR_GENERATE_API_KEY", "on"),
                Map.entry("MAX_EXECUTION_TIME", "60"),
                Map.entry("MAX_FILE_SIZE_MB", "2"),
                Map.entry("MAX_OUTPUT_FILES", "7"),
                Map.entry("SESSION_TTL_HOURS", "3"),
                Map.entry("STATE_TTL_SECONDS", "90"),
                Map.entry("STATE_MAX_SIZE_MB", "4"),
                Map.entry("STATE_ARCHIVE_AFTER_SECONDS", "30"),
                Map.entry("STATE_ARCHIVE_TTL_DAYS", "2"),
                Map.entry("RATE_LIMIT_PER_MINUTE", "60"),
                Map.entry("RATE_LIMIT_BURST", "5")));
        assertEquals("/data", s.dataDir());
        assertEquals(Optional.of("k1"), s.apiKey());
        assertEquals(Optional.of("k2,k3"), s.apiKeys());
        assertEquals(Optional.of("m"), s.masterApiKey());
        assertEquals(Optional.of("pem"), s.jwtPublicKey());
        assertEquals("lc", s.jwtIssuer());
        assertEquals("api", s.jwtAudience());
        assertTrue(s.trustedNetwork());
        assertTrue(s.generateKeyIfNone());
        assertEquals(Duration.ofSeconds(60), s.maxExecutionTime());
        assertEquals(2L << 20, s.maxFileBytes());
        assertEquals(7, s.maxOutputFiles());
        assertEquals(Duration.ofHours(3), s.sessionTtl());
        assertEquals(Duration.ofSeconds(90), s.stateTtl());
        assertEquals(4L << 20, s.maxStateBytes());
        assertEquals(Duration.ofSeconds(30), s.stateArchiveAfter());
        assertEquals(Duration.ofDays(2), s.stateArchiveRetention());
        assertEquals(60, s.rateLimitPerMinute());
        assertEquals(5, s.rateLimitBurst());
    }

    @Test
    void zeroSwitchesTheRateLimitOff() {
        assertEquals(0, settings(Map.of("RATE_LIMIT_PER_MINUTE", "0")).rateLimitPerMinute());
    }

    @ParameterizedTest(name = "{0}={1} is refused")
    @CsvSource({
        "RATE_LIMIT_PER_MINUTE,-1",
        "RATE_LIMIT_BURST,0",
        "MAX_EXECUTION_TIME,0",
        "MAX_FILE_SIZE_MB,ten",
        "SESSION_TTL_HOURS,1.5",
        "STATE_TTL_SECONDS,-5",
        "KCR_TRUSTED_NETWORK,maybe",
        "KCR_GENERATE_API_KEY,flase"
    })
    void aBadValueStopsTheStartNamingTheVariable(String name, String value) {
        RuntimeException e = assertThrows(RuntimeException.class, () -> settings(Map.of(name, value)));
        assertTrue(e.getMessage().contains(name), e.getMessage());
    }

    @Test
    void aBadBooleanNamesTheAcceptedWords() {
        RuntimeException e =
                assertThrows(RuntimeException.class, () -> settings(Map.of("KCR_TRUSTED_NETWORK", "maybe")));
        assertTrue(e.getMessage().contains(StrictBoolean.ACCEPTED), e.getMessage());
    }

    @ParameterizedTest(name = "MINIO_ENDPOINT={0}, MINIO_SECURE={1} -> {2}")
    @CsvSource({
        "minio:9000,,http://minio:9000",
        "minio:9000,true,https://minio:9000",
        "minio.kubecoderun.svc:9000,0,http://minio.kubecoderun.svc:9000",
        "https://s3.example:443,false,https://s3.example:443",
        "10.0.0.5:9000,,http://10.0.0.5:9000"
    })
    void theObjectStoreEndpointIsTheS3ExtensionsWithASchemeAdded(String endpoint, String secure, String expected) {
        Map<String, String> env = secure == null
                ? Map.of("MINIO_ENDPOINT", endpoint)
                : Map.of("MINIO_ENDPOINT", endpoint, "MINIO_SECURE", secure);
        SmallRyeConfig config = config(env);
        assertEquals(
                Optional.of(URI.create(expected)),
                config.getConfigMapping(ObjectStoreSettings.class).endpoint());
        assertEquals(expected, config.getRawValue("quarkus.s3.endpoint-override"));
    }

    @Test
    void anExplicitS3EndpointWinsAndABadSecureFlagIsRefused() {
        assertEquals(
                "http://other:1",
                config(Map.of("MINIO_ENDPOINT", "minio:9000", "quarkus.s3.endpoint-override", "http://other:1"))
                        .getRawValue("quarkus.s3.endpoint-override"));
        RuntimeException e = assertThrows(
                RuntimeException.class, () -> config(Map.of("MINIO_ENDPOINT", "m:1", "MINIO_SECURE", "sure"))
                        .getRawValue("quarkus.s3.endpoint-override"));
        assertTrue(e.getMessage().contains("MINIO_SECURE"), e.getMessage());
    }
}
