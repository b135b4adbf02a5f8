package io.kubecoderun.registry.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;

/**
 * Feeds the Redis extension from the original names: {@code quarkus.redis.hosts} is {@code REDIS_URL}, else
 * {@code redis://REDIS_HOST:REDIS_PORT}; {@code quarkus.redis.password} is {@code REDIS_PASSWORD}. An explicit
 * {@code quarkus.redis.*} value wins. Values are read through the interceptor chain (environment, system
 * properties, files), never from the build machine's environment, and no name is listed, so nothing of them is
 * recorded into an application at build time.
 */
public final class RedisNames implements ConfigSourceInterceptor {
    static final String HOSTS = "quarkus.redis.hosts";
    static final String PASSWORD = "quarkus.redis.password";
    static final String DEFAULT_PORT = "6379";
    /** The original names this reads (the configuration tables document them). */
    public static final java.util.List<String> READS =
            java.util.List.of("REDIS_URL", "REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD");

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue own = context.proceed(name);
        if (!HOSTS.equals(name) && !PASSWORD.equals(name) || present(own)) {
            return own;
        }
        String derived = HOSTS.equals(name) ? hosts(context) : value(context, "REDIS_PASSWORD");
        return derived == null
                ? own
                : ConfigValue.builder()
                        .withName(name)
                        .withValue(derived)
                        .withConfigSourceName(getClass().getSimpleName())
                        .build();
    }

    private static String hosts(ConfigSourceInterceptorContext context) {
        String url = value(context, "REDIS_URL");
        if (url != null) {
            return url;
        }
        String host = value(context, "REDIS_HOST");
        if (host == null) {
            return null;
        }
        String port = value(context, "REDIS_PORT");
        if (port != null && !port.matches("[0-9]{1,5}")) {
            throw new IllegalArgumentException("REDIS_PORT=" + port + " is not a port number");
        }
        return "redis://" + host + ":" + (port == null ? DEFAULT_PORT : port);
    }

    private static String value(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        return present(value) ? value.getValue().strip() : null;
    }

    private static boolean present(ConfigValue value) {
        return value != null && value.getValue() != null && !value.getValue().isBlank();
    }
}
