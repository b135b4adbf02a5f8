package io.kubecoderun.core.config;

import io.kubecoderun.core.auth.ApiKeys;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.JwtVerifier;
import io.kubecoderun.core.auth.RedisStoredKeys;
import io.kubecoderun.core.auth.SqliteStoredKeys;
import io.kubecoderun.core.auth.StoredKeys;
import io.kubecoderun.core.embedded.EmbeddedDatabase;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.ratelimit.RateLimiter;
import io.kubecoderun.core.ratelimit.RedisRateLimiter;
import io.kubecoderun.core.ratelimit.SqliteRateLimiter;
import io.kubecoderun.core.state.HotStateTier;
import io.kubecoderun.core.state.RedisStateTier;
import io.kubecoderun.core.state.SqliteStateTier;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.RedisSessionStore;
import io.kubecoderun.core.store.S3FileStore;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.kubecoderun.registry.redis.RedisBackend;
import io.quarkus.arc.InjectableInstance;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.logging.Logger;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Builds the shared parts of every function app: sessions, hot state, stored keys and rate limits in Redis where
 * there is one ({@link RedisBackend}), else in the embedded store ({@code KCR_DATA_DIR/kcr.db},
 * {@link EmbeddedDatabase}), so that they outlive a restart; files and the state archive in S3/MinIO where an endpoint
 * is set ({@link ObjectStoreSettings}), else {@code KCR_DATA_DIR} on disk; the authenticator. One instance of each
 * per process. The lease registry comes from the registry module's own producer.
 */
@ApplicationScoped
public class CoreProducers {
    private static final Logger LOG = Logger.getLogger(CoreProducers.class.getName());

    /** The S3 extension's client; built only where an endpoint is configured (see {@link ObjectStoreSettings}). */
    @Inject
    InjectableInstance<S3Client> s3;

    /** The embedded store ({@code KCR_DATA_DIR/kcr.db}); opened only where there is no Redis. */
    @Inject
    InjectableInstance<EmbeddedDatabase> embedded;

    @Produces
    @Singleton
    public EmbeddedDatabase embeddedDatabase(KcrSettings settings) {
        return EmbeddedDatabase.open(Path.of(settings.dataDir(), EmbeddedDatabase.FILE_NAME));
    }

    void closeEmbeddedDatabase(@Disposes EmbeddedDatabase db) {
        db.close();
    }

    @Produces
    @Singleton
    public SessionStore sessions(RedisBackend redis) {
        return redis.client()
                .<SessionStore>map(client -> new RedisSessionStore(client, redis.keyPrefix(), Clock.systemUTC()))
                .orElseGet(() -> new SqliteSessionStore(embedded.get(), Clock.systemUTC()));
    }

    @Produces
    @Singleton
    public FileStore files(KcrSettings settings, ObjectStoreSettings objects) {
        if (objects.endpoint().isPresent()) {
            S3FileStore store = new S3FileStore(s3.get(), objects.bucket());
            store.ensureBucket();
            return store;
        }
        Path dir = Path.of(settings.dataDir(), "files");
        LOG.info("event=file_store mode=disk path=" + dir);
        return new LocalDiskFileStore(dir);
    }

    @Produces
    @Singleton
    public StateStore states(KcrSettings settings, FileStore files, RedisBackend redis) {
        HotStateTier hot = redis.client()
                .<HotStateTier>map(client -> new RedisStateTier(client, redis.keyPrefix(), Clock.systemUTC()))
                .orElseGet(() -> new SqliteStateTier(embedded.get(), Clock.systemUTC()));
        return new TieredStateStore(hot, files, Clock.systemUTC(), settings.maxStateBytes(), settings.stateTtl());
    }

    private RateLimiter rateLimiter(KcrSettings settings, RedisBackend redis) {
        if (settings.rateLimitPerMinute() <= 0) {
            LOG.info("event=rate_limit mode=off detail=\"RATE_LIMIT_PER_MINUTE=0\"");
            return RateLimiter.UNLIMITED;
        }
        int burst = settings.rateLimitBurst();
        return redis.client()
                .<RateLimiter>map(
                        client -> new RedisRateLimiter(client, redis.keyPrefix(), settings.rateLimitPerMinute(), burst))
                .orElseGet(() -> new SqliteRateLimiter(
                        embedded.get(), settings.rateLimitPerMinute(), burst, System::currentTimeMillis));
    }

    /** Created at start-up, so a generated key is printed when the service starts, not at its first request. */
    @Produces
    @Singleton
    @io.quarkus.runtime.Startup
    public Authenticator authenticator(KcrSettings settings, RedisBackend redis) {
        StoredKeys stored = redis.client()
                .<StoredKeys>map(client -> new RedisStoredKeys(client, redis.keyPrefix()))
                .orElseGet(() -> new SqliteStoredKeys(embedded.get()));
        ApiKeys keys = ApiKeys.fromSettings(
                settings.apiKey().orElse(null),
                settings.apiKeys().orElse(null),
                settings.masterApiKey().orElse(null),
                stored);
        JwtVerifier jwt = settings.jwtPublicKey()
                .map(pem -> new JwtVerifier(
                        JwtVerifier.parsePublicKey(pem),
                        settings.jwtIssuer(),
                        settings.jwtAudience(),
                        Clock.systemUTC(),
                        JwtVerifier.DEFAULT_LEEWAY))
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
        return new Authenticator(keys, jwt, settings.trustedNetwork(), rateLimiter(settings, redis));
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
}
