package io.kubecoderun.core.config;

import io.kubecoderun.registry.config.Positive;
import io.kubecoderun.registry.config.StrictBoolean;
import io.kubecoderun.registry.config.ZeroOrPositive;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.Optional;

/**
 * The functions' shared settings under the original KubeCodeRun names (every key, its default and its meaning is
 * in the README's configuration table, which {@code ConfigurationTablesTest} checks against this mapping). Sizes
 * and times are whole numbers in the unit their name says; a value of the wrong kind stops the start naming the
 * variable. Where Redis and object storage are: {@code RedisSettings}, {@link ObjectStoreSettings}.
 */
@ConfigMapping(prefix = "")
public interface KcrSettings {

    /** Files, the state archive and the generated key when there is no object store. */
    @WithName("KCR_DATA_DIR")
    @WithDefault("${user.home}/.kubecoderun")
    String dataDir();

    @WithName("API_KEY")
    Optional<String> apiKey();

    /** Comma-separated. */
    @WithName("API_KEYS")
    Optional<String> apiKeys();

    /** The only key the admin API accepts. */
    @WithName("MASTER_API_KEY")
    Optional<String> masterApiKey();

    /** PEM public key (Ed25519 or RSA) of LibreChat's tokens. */
    @WithName("LIBRECHAT_JWT_PUBLIC_KEY")
    Optional<String> jwtPublicKey();

    @WithName("LIBRECHAT_JWT_ISSUER")
    @WithDefault("librechat")
    String jwtIssuer();

    @WithName("LIBRECHAT_JWT_AUDIENCE")
    @WithDefault("codeapi")
    String jwtAudience();

    /** Accept requests without credentials (only behind a trusted network). */
    @WithName("KCR_TRUSTED_NETWORK")
    @WithDefault("false")
    @WithConverter(StrictBoolean.class)
    boolean trustedNetwork();

    /**
     * Exec CloudEvents: take the caller from the {@code kcrprincipal} extension (only where a NetworkPolicy lets
     * only the Broker in).
     */
    @WithName("KCR_TRUST_EVENT_PRINCIPAL")
    @WithDefault("false")
    @WithConverter(StrictBoolean.class)
    boolean trustEventPrincipal();

    /** With no key, JWT key or trusted mode: generate a key, keep it in the data directory, print it once. */
    @WithName("KCR_GENERATE_API_KEY")
    @WithDefault("false")
    @WithConverter(StrictBoolean.class)
    boolean generateKeyIfNone();

    /** Seconds: the largest timeout a request may ask for. */
    @WithName("MAX_EXECUTION_TIME")
    @WithDefault("300")
    @WithConverter(Positive.class)
    long maxExecutionTimeSeconds();

    /** Largest input or output file, in MiB. */
    @WithName("MAX_FILE_SIZE_MB")
    @WithDefault("25")
    @WithConverter(Positive.class)
    long maxFileSizeMb();

    /** Files collected per execution; more are reported in stderr. */
    @WithName("MAX_OUTPUT_FILES")
    @WithDefault("50")
    @WithConverter(Positive.class)
    long maxOutputFilesCount();

    /**
     * Files one upload ({@code /upload} or {@code /upload/batch}) may carry; more are refused whole with 413
     * {@code files_limit_reached}. The original's name; like the original it counts per request.
     */
    @WithName("MAX_FILES_PER_SESSION")
    @WithDefault("50")
    @WithConverter(Positive.class)
    long maxFilesPerSessionCount();

    /** A session and its files live this long after last use. */
    @WithName("SESSION_TTL_HOURS")
    @WithDefault("24")
    @WithConverter(Positive.class)
    long sessionTtlHours();

    /** Python state's lifetime in Redis (or memory), before the archive holds it. */
    @WithName("STATE_TTL_SECONDS")
    @WithDefault("7200")
    @WithConverter(Positive.class)
    long stateTtlSeconds();

    @WithName("STATE_MAX_SIZE_MB")
    @WithDefault("50")
    @WithConverter(Positive.class)
    long stateMaxSizeMb();

    /** State this close to expiry is archived to object storage. */
    @WithName("STATE_ARCHIVE_AFTER_SECONDS")
    @WithDefault("600")
    @WithConverter(Positive.class)
    long stateArchiveAfterSeconds();

    @WithName("STATE_ARCHIVE_TTL_DAYS")
    @WithDefault("7")
    @WithConverter(Positive.class)
    long stateArchiveTtlDays();

    /** Requests per principal and minute (a token bucket); {@code 0} switches the limit off. */
    @WithName("RATE_LIMIT_PER_MINUTE")
    @WithDefault("600")
    @WithConverter(ZeroOrPositive.class)
    long rateLimitPerMinuteValue();

    @WithName("RATE_LIMIT_BURST")
    @WithDefault("120")
    @WithConverter(Positive.class)
    long rateLimitBurstValue();

    /** Programmatic tool calling: how long a program waits for its tool results before it is stopped. */
    @WithName("PROGRAMMATIC_IDLE_TIMEOUT")
    @WithDefault("300")
    @WithConverter(Positive.class)
    long programmaticIdleTimeoutSeconds();

    /** Tools one programmatic request may list. */
    @WithName("PROGRAMMATIC_MAX_TOOLS")
    @WithDefault("100")
    @WithConverter(Positive.class)
    long programmaticMaxTools();

    /** Tool calls one programmatic execution may make. */
    @WithName("PROGRAMMATIC_MAX_TOOL_CALLS")
    @WithDefault("200")
    @WithConverter(Positive.class)
    long programmaticMaxToolCalls();

    /** Largest single tool result (its JSON), in bytes; a larger one reaches the program as an error. */
    @WithName("PROGRAMMATIC_MAX_RESULT_BYTES")
    @WithDefault("1048576")
    @WithConverter(Positive.class)
    long programmaticMaxResultBytes();

    /** All tool results of one programmatic execution together, in bytes; past it the execution is stopped. */
    @WithName("PROGRAMMATIC_MAX_HISTORY_BYTES")
    @WithDefault("16777216")
    @WithConverter(Positive.class)
    long programmaticMaxHistoryBytes();

    default Duration maxExecutionTime() {
        return Duration.ofSeconds(maxExecutionTimeSeconds());
    }

    default long maxFileBytes() {
        return maxFileSizeMb() << 20;
    }

    default int maxOutputFiles() {
        return (int) Math.min(Integer.MAX_VALUE, maxOutputFilesCount());
    }

    default int maxUploadFiles() {
        return (int) Math.min(Integer.MAX_VALUE, maxFilesPerSessionCount());
    }

    default Duration sessionTtl() {
        return Duration.ofHours(sessionTtlHours());
    }

    default Duration stateTtl() {
        return Duration.ofSeconds(stateTtlSeconds());
    }

    default long maxStateBytes() {
        return stateMaxSizeMb() << 20;
    }

    default Duration stateArchiveAfter() {
        return Duration.ofSeconds(stateArchiveAfterSeconds());
    }

    default Duration stateArchiveRetention() {
        return Duration.ofDays(stateArchiveTtlDays());
    }

    /** 0: no limit. */
    default int rateLimitPerMinute() {
        return (int) Math.min(Integer.MAX_VALUE, rateLimitPerMinuteValue());
    }

    default int rateLimitBurst() {
        return (int) Math.min(Integer.MAX_VALUE, rateLimitBurstValue());
    }
}
