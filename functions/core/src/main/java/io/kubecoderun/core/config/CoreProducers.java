package io.kubecoderun.core.config;

import io.kubecoderun.core.ratelimit.InMemoryRateLimiter;
import io.kubecoderun.core.ratelimit.RateLimiter;
import io.kubecoderun.core.ratelimit.RedisRateLimiter;
import io.kubecoderun.core.auth.ApiKeys;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.InMemoryStoredKeys;
import io.kubecoderun.core.auth.RedisStoredKeys;
import io.kubecoderun.core.auth.StoredKeys;
import io.kubecoderun.core.auth.JwtVerifier;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.registry.InMemoryLeaseRegistry;
import io.kubecoderun.core.registry.LeaseRegistry;
import io.kubecoderun.core.registry.RedisLeaseRegistry;
import io.kubecoderun.core.state.HotStateTier;
import io.kubecoderun.core.state.InMemoryStateTier;
import io.kubecoderun.core.state.RedisStateTier;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.InMemorySessionStore;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.RedisSessionStore;
import io.kubecoderun.core.store.S3FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.Config;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.logging.Logger;

/**
 * Builds the shared parts of every app from {@link KcrSettings}: Redis (registry, sessions, hot state) when
 * {@code REDIS_URL}/{@code REDIS_HOST} is set, else memory; S3/MinIO (files, state archive) when
 * {@code MINIO_ENDPOINT} is set, else {@code KCR_DATA_DIR} on disk; the authenticator. One instance of each per
 * process, so the standalone app's controller and functions share one in-memory registry.
 */
@ApplicationScoped
public class CoreProducers {
    private static final Logger LOG = Logger.getLogger(CoreProducers.class.getName());

    @Inject
    Config config;
    @Inject
    Vertx vertx;

    private Redis redis;
    private S3Client s3;

    @Produces
    @Singleton
    public KcrSettings settings() {
        return KcrSettings.from(name -> config.getOptionalValue(name, String.class).orElse(null));
    }

    private synchronized Redis redis(KcrSettings settings) {
        if (redis == null) {
            redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(settings.redisUrl().orElseThrow())
                    .setMaxPoolSize(32).setMaxPoolWaiting(512));
        }
        return redis;
    }

    @Produces
    @Singleton
    public LeaseRegistry registry(KcrSettings settings) {
        if (settings.redisUrl().isPresent()) {
            return new RedisLeaseRegistry(redis(settings), settings.redisKeyPrefix());
        }
        LOG.info("event=registry mode=memory detail=\"no REDIS_URL: sandboxes are leased within this process\"");
        return new InMemoryLeaseRegistry();
    }

    @Produces
    @Singleton
    public SessionStore sessions(KcrSettings settings) {
        return settings.redisUrl().isPresent()
                ? new RedisSessionStore(redis(settings), settings.redisKeyPrefix(), Clock.systemUTC())
                : new InMemorySessionStore(Clock.systemUTC());
    }

    @Produces
    @Singleton
    public FileStore files(KcrSettings settings) {
        if (settings.minioEndpoint().isPresent()) {
            synchronized (this) {
                s3 = S3Client.builder().endpointOverride(URI.create(settings.minioEndpoint().get()))
                        .region(Region.US_EAST_1).forcePathStyle(true)
                        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                                settings.minioAccessKey(), settings.minioSecretKey())))
                        .httpClient(UrlConnectionHttpClient.create()).build();
            }
            S3FileStore store = new S3FileStore(s3, settings.minioBucket());
            store.ensureBucket();
            return store;
        }
        Path dir = Path.of(settings.dataDir(), "files");
        LOG.info("event=file_store mode=disk path=" + dir);
        return new LocalDiskFileStore(dir);
    }

    @Produces
    @Singleton
    public StateStore states(KcrSettings settings, FileStore files) {
        HotStateTier hot = settings.redisUrl().isPresent()
                ? new RedisStateTier(redis(settings), settings.redisKeyPrefix(), Clock.systemUTC())
                : new InMemoryStateTier(Clock.systemUTC());
        return new TieredStateStore(hot, files, Clock.systemUTC(), settings.maxStateBytes(), settings.stateTtl());
    }

    private RateLimiter rateLimiter(KcrSettings settings) {
        if (settings.rateLimitPerMinute() <= 0) {
            LOG.info("event=rate_limit mode=off detail=\"RATE_LIMIT_PER_MINUTE=0\"");
            return RateLimiter.UNLIMITED;
        }
        int burst = Math.max(1, settings.rateLimitBurst());
        return settings.redisUrl().isPresent()
                ? new RedisRateLimiter(redis(settings), settings.redisKeyPrefix(), settings.rateLimitPerMinute(), burst)
                : new InMemoryRateLimiter(settings.rateLimitPerMinute(), burst, System::nanoTime);
    }

    /** Created at start-up, so a generated key is printed when the service starts, not at its first request. */
    @Produces
    @Singleton
    @io.quarkus.runtime.Startup
    public Authenticator authenticator(KcrSettings settings) {
        StoredKeys stored = settings.redisUrl().isPresent()
                ? new RedisStoredKeys(redis(settings), settings.redisKeyPrefix()) : new InMemoryStoredKeys();
        ApiKeys keys = ApiKeys.fromSettings(settings.apiKey().orElse(null), settings.apiKeys().orElse(null),
                settings.masterApiKey().orElse(null), stored);
        JwtVerifier jwt = settings.jwtPublicKey().map(pem -> new JwtVerifier(JwtVerifier.parsePublicKey(pem),
                settings.jwtIssuer(), settings.jwtAudience(), Clock.systemUTC(), JwtVerifier.DEFAULT_LEEWAY))
                .orElse(null);
        if (keys.isEmpty() && jwt == null && !settings.trustedNetwork()) {
            if (!settings.generateKeyIfNone()) {
                LOG.warning("event=no_credentials_configured detail=\"set API_KEY, API_KEYS or "
                        + "LIBRECHAT_JWT_PUBLIC_KEY: every request will be refused\"");
            } else {
                keys = new ApiKeys(List.of(generatedKey(Path.of(settings.dataDir(), "api-key"))), null, stored);
            }
        }
        if (settings.trustedNetwork()) {
            LOG.warning("event=trusted_network_mode detail=\"requests without credentials are accepted\"");
        }
        return new Authenticator(keys, jwt, settings.trustedNetwork(), rateLimiter(settings));
    }

    /** The embedded default's key: generated once, kept (mode 600) in the data directory, printed once. */
    private static String generatedKey(Path file) {
        try {
            if (Files.exists(file)) {
                LOG.info("event=api_key source=" + file);
                return Files.readString(file).strip();
            }
            Files.createDirectories(file.getParent());
            String key = "kcr_" + Ids.next() + Ids.next();
            Files.writeString(file, key + "\n");
            try {
                Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException ignored) {
                // Not a POSIX file system: the file stays as created.
            }
            System.out.println("\nKubeCodeRun generated an API key (kept in " + file + "):\n\n    " + key
                    + "\n\nSend it as x-api-key, or set API_KEY to choose your own.\n");
            return key;
        } catch (IOException e) {
            throw new IllegalStateException("cannot keep the generated API key in " + file, e);
        }
    }

    @PreDestroy
    void close() {
        if (redis != null) {
            redis.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }
}
