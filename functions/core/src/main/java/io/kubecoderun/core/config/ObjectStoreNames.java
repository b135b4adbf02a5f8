package io.kubecoderun.core.config;

import io.kubecoderun.registry.config.StrictBoolean;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Feeds the S3 extension's endpoint from the original names: {@code quarkus.s3.endpoint-override} is
 * {@code MINIO_ENDPOINT}, given {@code http://} (or {@code https://} with {@code MINIO_SECURE}) when it names no
 * scheme, as MinIO clients write it ({@code minio:9000}). An explicit {@code quarkus.s3.endpoint-override} wins.
 * The credentials, region and path style are plain defaults in {@code META-INF/microprofile-config.properties}.
 */
public final class ObjectStoreNames implements ConfigSourceInterceptor {
    static final String ENDPOINT = "quarkus.s3.endpoint-override";
    /** The original names this reads (the configuration tables document them). */
    public static final java.util.List<String> READS = java.util.List.of("MINIO_ENDPOINT", "MINIO_SECURE");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        if (!ENDPOINT.equals(name) || present(own)) {
            return own;
        }
        ConfigValue endpoint = context.proceed("MINIO_ENDPOINT");
        if (!present(endpoint)) {
            return own;
        }
        String value = endpoint.getValue().strip();
        if (!value.startsWith("http://") && !value.startsWith("https://")) {
            ConfigValue secure = context.proceed("MINIO_SECURE");
            boolean tls;
            try {
                tls = present(secure) && new StrictBoolean().convert(secure.getValue());
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("MINIO_SECURE: " + e.getMessage(), e);
            }
            value = (tls ? "https://" : "http://") + value;
        }
        return ConfigValue.builder()
                .withName(name)
                .withValue(value)
                .withConfigSourceName(getClass().getSimpleName())
                .build();
    }

    private static boolean present(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
