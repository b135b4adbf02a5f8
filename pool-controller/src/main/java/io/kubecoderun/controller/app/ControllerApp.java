package io.kubecoderun.controller.app;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubecoderun.controller.ControllerSettings;
import io.kubecoderun.controller.kubernetes.KubernetesPlatform;
import io.kubecoderun.controller.kubernetes.LeaderElectedController;
import io.kubecoderun.controller.local.LocalPlatform;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.controller.reconcile.RunnerProbe;
import io.kubecoderun.core.registry.LeaseRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.Config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * Wires the controller at start-up from its settings: the platform ({@code KCR_PLATFORM}: {@code kubernetes},
 * leader-elected, or {@code local}), with the lease registry of {@code CoreProducers} (Redis from {@code REDIS_URL}
 * or {@code REDIS_HOST}, else in memory), and the metrics; stops it in order at shutdown.
 */
@ApplicationScoped
public class ControllerApp {
    private static final Logger LOG = Logger.getLogger(ControllerApp.class.getName());

    @Inject
    Config config;
    @Inject
    Instance<KubernetesClient> kubernetes;
    /** Shared with the functions in one process (standalone); Redis or memory, see CoreProducers. */
    @Inject
    LeaseRegistry registry;
    @Inject
    io.kubecoderun.core.config.KcrSettings kcr;

    private final PoolMetrics metrics = new PoolMetrics();
    private Platform platform;
    private PoolController local;
    private LeaderElectedController elected;

    private String setting(String name) {
        return config.getOptionalValue(name, String.class).orElse(null);
    }

    @Produces
    public PoolMetrics metrics() {
        return metrics;
    }

    /** Whether this replica is running a controller now (always, for the local platform). */
    public boolean active() {
        return local != null || (elected != null && elected.leading());
    }

    public long leaderChanges() {
        return elected == null ? 0 : elected.leaderChanges();
    }

    void start(@Observes StartupEvent event) throws Exception {
        String identity = System.getenv().getOrDefault("POD_NAME", InetAddress.getLocalHost().getHostName()
                + "-" + UUID.randomUUID().toString().substring(0, 6));
        ControllerSettings settings = ControllerSettings.from(this::setting, identity);
        String platformName = String.valueOf(setting("KCR_PLATFORM") == null ? "kubernetes" : setting("KCR_PLATFORM"));
        if (platformName.equals("kubernetes") && kcr.redisUrl().isEmpty()) {
            throw new IllegalStateException("REDIS_URL or REDIS_HOST is required on Kubernetes: the functions meet "
                    + "the controller in Redis");
        }
        if (platformName.equals("local")) {
            platform = localPlatform();
            local = controller(settings);
            LOG.info("event=controller_started platform=local");
        } else if (platformName.equals("kubernetes")) {
            KubernetesClient client = kubernetes.get();
            platform = new KubernetesPlatform(client, settings.pods(), Clock.systemUTC());
            elected = new LeaderElectedController(client, settings.pods().namespace(), identity,
                    () -> controller(settings), LeaderElectedController.Timings.defaults());
            elected.start();
            LOG.info("event=controller_started platform=kubernetes identity=" + identity);
        } else {
            throw new IllegalArgumentException("KCR_PLATFORM must be kubernetes or local, not " + platformName);
        }
    }

    private PoolController controller(ControllerSettings settings) {
        PoolController controller = new PoolController(new PoolReconciler(platform, registry, new RunnerProbe(),
                settings.pools(), settings.reconcile(), Clock.systemUTC(), metrics)
                .warmupOnStartup(settings.warmupOnStartup()));
        controller.start(settings.reconcile());
        return controller;
    }

    private Platform localPlatform() {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String jar = setting("KCR_RUNNER_JAR") == null ? "runner/target/runner.jar" : setting("KCR_RUNNER_JAR");
        String options = setting("KCR_RUNNER_JVM_OPTIONS") == null ? "runner/jvm.options"
                : setting("KCR_RUNNER_JVM_OPTIONS");
        String dir = setting("KCR_LOCAL_DIR") == null ? System.getProperty("java.io.tmpdir") + "/kcr-local"
                : setting("KCR_LOCAL_DIR");
        String sandbox = setting("KCR_LOCAL_SANDBOX") == null ? "bubblewrap" : setting("KCR_LOCAL_SANDBOX");
        LocalPlatform platform = new LocalPlatform(Path.of(dir), List.of(java, "@" + Path.of(options).toAbsolutePath(),
                "-jar", Path.of(jar).toAbsolutePath().toString()), Map.of("RUNNER_SANDBOX", sandbox), Clock.systemUTC());
        return "false".equals(setting("KCR_LOCAL_CDS")) ? platform
                : platform.withClassDataSharing(Path.of(System.getProperty("java.io.tmpdir"), "kcr-cds"));
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
