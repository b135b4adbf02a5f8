package io.kubecoderun.core.config;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Function;

/**
 * The functions' shared settings, read through MicroProfile Config (which includes environment variables) under
 * the original KubeCodeRun names. Every key, its default and its meaning is in the README's configuration table.
 */
public record KcrSettings(
        Optional<String> redisUrl,
        String redisKeyPrefix,
        Optional<String> minioEndpoint,
        String minioAccessKey,
        String minioSecretKey,
        String minioBucket,
        String dataDir,
        Optional<String> apiKey,
        Optional<String> apiKeys,
        Optional<String> masterApiKey,
        Optional<String> jwtPublicKey,
        String jwtIssuer,
        String jwtAudience,
        boolean trustedNetwork,
        boolean generateKeyIfNone,
        Duration maxExecutionTime,
        long maxFileBytes,
        int maxOutputFiles,
        Duration sessionTtl,
        Duration stateTtl,
        long maxStateBytes,
        Duration stateArchiveAfter,
        Duration stateArchiveRetention,
        int rateLimitPerMinute,
        int rateLimitBurst) {

    public static KcrSettings from(Function<String, String> lookup) {
        Reader r = new Reader(lookup);
        String redis = r.string("REDIS_URL", null);
        if (redis == null && r.string("REDIS_HOST", null) != null) {
            String password = r.string("REDIS_PASSWORD", null);
            redis = "redis://" + (password == null ? "" : ":" + password + "@") + r.string("REDIS_HOST", null)
                    + ":" + r.string("REDIS_PORT", "6379");
        }
        String minio = r.string("MINIO_ENDPOINT", null);
        if (minio != null && !minio.startsWith("http")) {
            minio = (r.bool("MINIO_SECURE", false) ? "https://" : "http://") + minio;
        }
        return new KcrSettings(
                Optional.ofNullable(redis),
                r.string("REDIS_KEY_PREFIX", "kcr:"),
                Optional.ofNullable(minio),
                r.string("MINIO_ACCESS_KEY", "minioadmin"),
                r.string("MINIO_SECRET_KEY", "minioadmin"),
                r.string("MINIO_BUCKET", "kubecoderun"),
                r.string("KCR_DATA_DIR", System.getProperty("user.home") + "/.kubecoderun"),
                Optional.ofNullable(r.string("API_KEY", null)),
                Optional.ofNullable(r.string("API_KEYS", null)),
                Optional.ofNullable(r.string("MASTER_API_KEY", null)),
                Optional.ofNullable(r.string("LIBRECHAT_JWT_PUBLIC_KEY", null)),
                r.string("LIBRECHAT_JWT_ISSUER", "librechat"),
                r.string("LIBRECHAT_JWT_AUDIENCE", "codeapi"),
                r.bool("KCR_TRUSTED_NETWORK", false),
                r.bool("KCR_GENERATE_API_KEY", false),
                Duration.ofSeconds(r.number("MAX_EXECUTION_TIME", 300)),
                r.number("MAX_FILE_SIZE_MB", 25) << 20,
                (int) r.number("MAX_OUTPUT_FILES", 50),
                Duration.ofHours(r.number("SESSION_TTL_HOURS", 24)),
                Duration.ofSeconds(r.number("STATE_TTL_SECONDS", 7200)),
                r.number("STATE_MAX_SIZE_MB", 50) << 20,
                Duration.ofSeconds(r.number("STATE_ARCHIVE_AFTER_SECONDS", 600)),
                Duration.ofDays(r.number("STATE_ARCHIVE_TTL_DAYS", 7)),
                (int) r.number("RATE_LIMIT_PER_MINUTE", 600),
                (int) r.number("RATE_LIMIT_BURST", 120));
    }

    private record Reader(Function<String, String> lookup) {
        String string(String name, String fallback) {
            String value = lookup.apply(name);
            return value == null || value.isBlank() ? fallback : value.strip();
        }

        boolean bool(String name, boolean fallback) {
            String value = string(name, null);
            return value == null ? fallback : value.equalsIgnoreCase("true") || value.equals("1")
                    || value.equalsIgnoreCase("yes");
        }

        long number(String name, long fallback) {
            String value = string(name, null);
            if (value == null) {
                return fallback;
            }
            try {
                long parsed = Long.parseLong(value);
                if (parsed <= 0) {
                    throw new IllegalArgumentException(name + "=" + value + " must be positive");
                }
                return parsed;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(name + "=" + value + " is not a whole number");
            }
        }
    }
}
