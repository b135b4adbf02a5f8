package io.kubecoderun.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecoderun.controller.ControllerConfig;
import io.kubecoderun.controller.ControllerSettings;
import io.kubecoderun.controller.kubernetes.KubernetesPlatform;
import io.kubecoderun.controller.kubernetes.LeaderElectedController;
import io.kubecoderun.controller.local.LocalPlatform;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.config.PoolSettings;
import io.kubecoderun.registry.redis.RedisBackend;
import io.kubecoderun.runner.wire.RunnerClient;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Wires the controller at start-up from its settings ({@link ControllerConfig}): the platform ({@code KCR_PLATFORM}: {@code kubernetes},
 * leader-elected, or {@code local}), with the lease registry of the registry module (Redis from {@code REDIS_URL}
 * or {@code REDIS_HOST}, else in memory), and the metrics; stops it in order at shutdown.
 */
@ApplicationScoped
public class ControllerApp {
    private static final Logger LOG = Logger.getLogger(ControllerApp.class.getName());

    @Inject
    ControllerConfig config;

    @Inject
    PoolSettings pools;

    @Inject
    Instance<KubernetesClient> kubernetes;
    /** Shared with the functions in one process (standalone); Redis or memory, see RegistryProducer. */
    @Inject
    LeaseRegistry registry;

    @Inject
    RedisBackend redis;

    private final PoolMetrics metrics = new PoolMetrics();
    private Platform platform;
    private PoolController local;
    private LeaderElectedController elected;

    @Produces
    public PoolMetrics metrics() {
        return metrics;
    }

    /** Whether this replica is running a controller now (always, for the local platform). */
    public boolean active() {
        return local != null || (elected != null && elected.leading());
    }

    /**
     * Whether this replica does its job: the local platform's controller runs, or (Kubernetes) this replica runs
     * for the lease (or holds it). False once leader election has stopped for good — the liveness check then fails
     * and Kubernetes restarts the replica.
     */
    public boolean alive() {
        return local != null || elected == null || elected.electing();
    }

    public long leaderChanges() {
        return elected == null ? 0 : elected.leaderChanges();
    }

    void start(@Observes StartupEvent event) throws Exception {
        String identity = config.podName()
                .orElse(InetAddress.getLocalHost().getHostName() + "-"
                        + UUID.randomUUID().toString().substring(0, 6));
        ControllerSettings settings = ControllerSettings.from(config, pools, identity);
        switch (pools.platform()) {
            case LOCAL -> {
                platform = localPlatform(config.local());
                local = controller(settings);
                LOG.info("event=controller_started platform=local");
            }
            case KUBERNETES -> {
                if (redis.client().isEmpty()) {
                    throw new IllegalStateException("REDIS_URL or REDIS_HOST is required on Kubernetes: the functions "
                            + "meet the controller in Redis");
                }
                KubernetesClient client = kubernetes.get();
                platform = new KubernetesPlatform(client, settings.pods(), Clock.systemUTC());
                elected = new LeaderElectedController(
                        client,
                        settings.pods().namespace(),
                        identity,
                        () -> controller(settings),
                        LeaderElectedController.Timings.defaults());
                elected.start();
                LOG.info("event=controller_started platform=kubernetes identity=" + identity);
            }
        }
    }

    private PoolController controller(ControllerSettings settings) {
        PoolController controller = new PoolController(new PoolReconciler(
                        platform,
                        registry,
                        new RunnerClient(),
                        settings.pools(),
                        settings.reconcile(),
                        Clock.systemUTC(),
                        metrics)
                .warmupOnStartup(settings.warmupOnStartup()));
        controller.start(settings.reconcile());
        return controller;
    }

    private static Platform localPlatform(ControllerConfig.Local settings) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path dir = Path.of(settings.dir().orElse(System.getProperty("java.io.tmpdir") + "/kcr-local"));
        LocalPlatform platform = new LocalPlatform(
                dir,
                List.of(
                        java,
                        "@" + Path.of(settings.runnerJvmOptions()).toAbsolutePath(),
                        "-jar",
                        Path.of(settings.runnerJar()).toAbsolutePath().toString()),
                Map.of("RUNNER_SANDBOX", settings.sandbox()),
                Clock.systemUTC());
        return settings.classDataSharing()
                ? platform.withClassDataSharing(Path.of(System.getProperty("java.io.tmpdir"), "kcr-cds"))
                : platform;
    }

    void stop(@Observes ShutdownEvent event) {
        if (elected != null) {
            elected.close();
        }
        if (local != null) {
            local.close();
        }
        if (platform != null) {
            platform.close();
        }
        LOG.info("event=controller_stopped");
    }
}
