package io.kubecoderun.controller;

import io.kubecoderun.registry.config.PerLanguage;
import io.kubecoderun.registry.config.StrictBoolean;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import io.smallrye.config.WithParentName;
import java.util.Optional;

/**
 * The controller's settings under the original KubeCodeRun names (the pool sizes, shared with the functions, are
 * {@link io.kubecoderun.registry.config.PoolSettings}, with the platform). Types and words are checked here; ranges and formats by
 * {@link ControllerSettings#from}, which names every bad variable at once. Seconds are whole numbers, as the
 * original configuration writes them.
 */
@ConfigMapping(prefix = "")
public interface ControllerConfig {

    /** This replica's name in the leader election (the Deployment sets it from the pod name). */
    @WithName("POD_NAME")
    Optional<String> podName();

    @WithParentName
    Pools pools();

    @WithParentName
    Pods pods();

    @WithParentName
    Local local();

    interface Pools {
        /** {@code false}: a pool fills only after its language is first asked for. */
        @WithName("POD_POOL_WARMUP_ON_STARTUP")
        @WithDefault("true")
        @WithConverter(StrictBoolean.class)
        boolean warmupOnStartup();

        /** Creations per pass and language. */
        @WithName("POD_POOL_PARALLEL_BATCH")
        @WithDefault("5")
        int parallelBatch();

        @WithName("POD_POOL_NOT_READY_GRACE")
        @WithDefault("120")
        int notReadyGraceSeconds();

        /** Idle pods are rotated after this, and it is every pool pod's {@code activeDeadlineSeconds}. */
        @WithName("POD_POOL_MAX_AGE")
        @WithDefault("3600")
        int maxAgeSeconds();

        @WithName("POD_POOL_REPLENISH_INTERVAL")
        @WithDefault("1")
        int replenishIntervalSeconds();

        /** Local platform: the longest a replacement waits for the running execution; 0 starts it at lease time. */
        @WithName("POD_POOL_REFILL_DEFERRAL_MS")
        @WithDefault("2000")
        int refillDeferralMillis();

        /**
         * Pod creations per second and language (a token bucket with a burst of 10): protects the Kubernetes API;
         * the embedded default raises it, since a local pod is a runner instance, not a JVM.
         */
        @WithName("POD_POOL_CREATES_PER_SECOND")
        @WithDefault("5")
        int createsPerSecond();
    }

    interface Pods {
        @WithName("K8S_NAMESPACE")
        @WithDefault("kubecoderun")
        String namespace();

        @WithName("K8S_IMAGE_REGISTRY")
        @WithDefault("kubecoderun")
        String imageRegistry();

        @WithName("K8S_IMAGE_TAG")
        @WithDefault("latest")
        String imageTag();

        /** Comma-separated secret names. */
        @WithName("K8S_IMAGE_PULL_SECRETS")
        Optional<String> imagePullSecrets();

        @WithName("K8S_CPU_LIMIT")
        @WithDefault("1")
        String cpuLimit();

        @WithName("K8S_MEMORY_LIMIT")
        @WithDefault("512Mi")
        String memoryLimit();

        @WithName("K8S_CPU_REQUEST")
        @WithDefault("100m")
        String cpuRequest();

        @WithName("K8S_MEMORY_REQUEST")
        @WithDefault("128Mi")
        String memoryRequest();

        @WithName("K8S_RUNTIME_CLASS")
        Optional<String> runtimeClass();

        /** {@code key=value,key2=value2}. */
        @WithName("K8S_NODE_SELECTOR")
        Optional<String> nodeSelector();

        /** {@code key=value:Effect} or {@code key:Effect}, comma-separated. */
        @WithName("K8S_TOLERATIONS")
        Optional<String> tolerations();

        @WithName("K8S_DATA_SIZE_LIMIT")
        @WithDefault("1Gi")
        String dataSizeLimit();

        @WithName("K8S_TMP_SIZE_LIMIT")
        @WithDefault("256Mi")
        String tmpSizeLimit();

        @WithName("K8S_JOB_DEADLINE")
        @WithDefault("900")
        int jobDeadlineSeconds();

        @WithName("K8S_JOB_TTL")
        @WithDefault("60")
        int jobTtlSeconds();

        @WithParentName
        Images images();
    }

    /** A full image for one language, instead of {@code <registry>/kubecoderun-<name>:<tag>}. */
    interface Images {
        @WithName("LANG_IMAGE_PY")
        Optional<String> py();

        @WithName("LANG_IMAGE_JS")
        Optional<String> js();

        @WithName("LANG_IMAGE_TS")
        Optional<String> ts();

        @WithName("LANG_IMAGE_GO")
        Optional<String> go();

        @WithName("LANG_IMAGE_JAVA")
        Optional<String> java();

        @WithName("LANG_IMAGE_C")
        Optional<String> c();

        @WithName("LANG_IMAGE_CPP")
        Optional<String> cpp();

        @WithName("LANG_IMAGE_PHP")
        Optional<String> php();

        @WithName("LANG_IMAGE_RS")
        Optional<String> rs();

        @WithName("LANG_IMAGE_R")
        Optional<String> r();

        @WithName("LANG_IMAGE_F90")
        Optional<String> f90();

        @WithName("LANG_IMAGE_D")
        Optional<String> d();

        @WithName("LANG_IMAGE_BASH")
        Optional<String> bash();

        default Optional<String> of(String language) {
            return PerLanguage.pick(
                    "LANG_IMAGE",
                    language,
                    py(),
                    js(),
                    ts(),
                    go(),
                    java(),
                    c(),
                    cpp(),
                    php(),
                    rs(),
                    r(),
                    f90(),
                    d(),
                    bash());
        }
    }

    /** The local platform: runners as processes on this machine. */
    interface Local {
        @WithName("KCR_RUNNER_JAR")
        @WithDefault("runner/target/runner.jar")
        String runnerJar();

        @WithName("KCR_RUNNER_JVM_OPTIONS")
        @WithDefault("runner/jvm.options")
        String runnerJvmOptions();

        /** Runner directories; default {@code $TMPDIR/kcr-local}. */
        @WithName("KCR_LOCAL_DIR")
        Optional<String> dir();

        @WithName("KCR_LOCAL_SANDBOX")
        @WithDefault("bubblewrap")
        String sandbox();

        /** Runners map a class-data-sharing archive of their classes. */
        @WithName("KCR_LOCAL_CDS")
        @WithDefault("true")
        @WithConverter(StrictBoolean.class)
        boolean classDataSharing();
    }
}
