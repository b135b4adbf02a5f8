package io.kubecoderun.controller.kubernetes;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.LocalObjectReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The hardened sandbox pod: one container (runtime plus runner) as UID 65532, non-root, no privilege escalation,
 * every capability dropped, RuntimeDefault seccomp, a read-only root filesystem with size-limited emptyDirs for
 * {@code /mnt/data} and {@code /tmp}, no service-account token, no service links, resource limits, optional
 * runtime class, the pull secrets of {@code K8S_IMAGE_PULL_SECRETS}, a pull policy that never keeps a stale
 * {@code latest} ({@link #pullPolicy}), and a deadline after which it dies on its own. The deployment tests compare the manifests'
 * NetworkPolicy and security expectations with what this class generates.
 */
public final class SandboxPods {
    public static final String LABEL_MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY = "kubecoderun";
    public static final String LABEL_COMPONENT = "app.kubernetes.io/component";
    public static final String COMPONENT = "sandbox";
    public static final String LABEL_LANGUAGE = "kubecoderun.io/language";
    public static final String LABEL_REQUEST = "kubecoderun.io/request";
    public static final String LABEL_POOL = "kubecoderun.io/pool";
    public static final int RUNNER_PORT = 8080;
    public static final long SANDBOX_UID = 65532L;

    private SandboxPods() {}

    public static Map<String, String> labels(String language, String requestId) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(LABEL_MANAGED_BY, MANAGED_BY);
        labels.put(LABEL_COMPONENT, COMPONENT);
        labels.put(LABEL_LANGUAGE, language);
        if (requestId != null) {
            labels.put(LABEL_REQUEST, requestId);
        } else {
            labels.put(LABEL_POOL, "warm");
        }
        return labels;
    }

    public static Pod poolPod(SandboxPodSettings s, String language, String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(s.namespace())
                .withLabels(labels(language, null))
                .endMetadata()
                .withSpec(spec(s, language, s.maxAge().toSeconds()))
                .build();
    }

    public static Job job(SandboxPodSettings s, String language, String name, String requestId) {
        PodSpec spec = spec(s, language, s.jobDeadline().toSeconds());
        spec.setRestartPolicy("Never");
        return new JobBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace(s.namespace())
                .withLabels(labels(language, requestId))
                .endMetadata()
                .withNewSpec()
                .withBackoffLimit(0)
                .withActiveDeadlineSeconds(s.jobDeadline().toSeconds())
                .withTtlSecondsAfterFinished((int) s.jobTtlAfterFinished().toSeconds())
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(labels(language, requestId))
                .endMetadata()
                .withSpec(spec)
                .endTemplate()
                .endSpec()
                .build();
    }

    static PodSpec spec(SandboxPodSettings s, String language, long activeDeadlineSeconds) {
        List<EnvVar> env = List.of(
                new EnvVarBuilder()
                        .withName("RUNNER_LANGUAGE")
                        .withValue(language)
                        .build(),
                new EnvVarBuilder()
                        .withName("RUNNER_PORT")
                        .withValue(Integer.toString(RUNNER_PORT))
                        .build(),
                new EnvVarBuilder()
                        .withName("RUNNER_WORKDIR")
                        .withValue("/mnt/data")
                        .build(),
                new EnvVarBuilder().withName("RUNNER_SANDBOX").withValue("none").build(),
                new EnvVarBuilder()
                        .withName("RUNNER_POD_UID")
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withFieldPath("metadata.uid")
                        .endFieldRef()
                        .endValueFrom()
                        .build(),
                new EnvVarBuilder()
                        .withName("RUNNER_POD_NAME")
                        .withNewValueFrom()
                        .withNewFieldRef()
                        .withFieldPath("metadata.name")
                        .endFieldRef()
                        .endValueFrom()
                        .build());
        List<LocalObjectReference> pullSecrets = new ArrayList<>();
        s.pullSecrets().forEach(secret -> pullSecrets.add(new LocalObjectReference(secret)));
        return new PodSpecBuilder()
                .withAutomountServiceAccountToken(false)
                .withEnableServiceLinks(false)
                .withRestartPolicy("Never")
                .withActiveDeadlineSeconds(activeDeadlineSeconds)
                .withTerminationGracePeriodSeconds(5L)
                .withRuntimeClassName(s.runtimeClassName())
                .withNodeSelector(s.nodeSelector())
                .withTolerations(tolerations(s.tolerations()))
                .withImagePullSecrets(pullSecrets)
                .withNewSecurityContext()
                .withRunAsUser(SANDBOX_UID)
                .withRunAsGroup(SANDBOX_UID)
                .withFsGroup(SANDBOX_UID)
                .withRunAsNonRoot(true)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("sandbox")
                .withImage(s.image(language))
                .withImagePullPolicy(pullPolicy(s.image(language)))
                .addNewPort()
                .withName("runner")
                .withContainerPort(RUNNER_PORT)
                .endPort()
                .withEnv(env)
                .withNewSecurityContext()
                .withAllowPrivilegeEscalation(false)
                .withPrivileged(false)
                .withReadOnlyRootFilesystem(true)
                .withRunAsNonRoot(true)
                .withRunAsUser(SANDBOX_UID)
                .withNewCapabilities()
                .withDrop("ALL")
                .endCapabilities()
                .endSecurityContext()
                .withNewResources()
                .addToLimits("cpu", new Quantity(s.cpuLimit()))
                .addToLimits("memory", new Quantity(s.memoryLimit()))
                .addToRequests("cpu", new Quantity(s.cpuRequest()))
                .addToRequests("memory", new Quantity(s.memoryRequest()))
                .endResources()
                .withNewReadinessProbe()
                .withNewHttpGet()
                .withPath("/ready")
                .withNewPort(RUNNER_PORT)
                .endHttpGet()
                .withPeriodSeconds(1)
                .withFailureThreshold(3)
                .endReadinessProbe()
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/mnt/data")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("tmp")
                .withMountPath("/tmp")
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewEmptyDir()
                .withSizeLimit(new Quantity(s.dataSizeLimit()))
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("tmp")
                .withNewEmptyDir()
                .withSizeLimit(new Quantity(s.tmpSizeLimit()))
                .endEmptyDir()
                .endVolume()
                .build();
    }

    /**
     * Kubernetes' own default, made explicit: {@code Always} for a moving reference ({@code :latest} or no tag), so
     * a node never runs the stale image it pulled before; {@code IfNotPresent} for a pinned tag or a digest, so a
     * pool pod starts from the node's copy without a registry round trip. Releases pin a tag
     * ({@code K8S_IMAGE_TAG}, knative/README.md).
     */
    public static String pullPolicy(String image) {
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int colon = image.lastIndexOf(':');
        boolean tagged = colon > image.lastIndexOf('/');
        return !tagged || image.substring(colon + 1).equals("latest") ? "Always" : "IfNotPresent";
    }

    private static List<Toleration> tolerations(List<String> specs) {
        List<Toleration> tolerations = new ArrayList<>();
        for (String spec : specs) {
            String[] keyEffect = spec.split(":", 2);
            String[] keyValue = keyEffect[0].split("=", 2);
            TolerationBuilder builder = new TolerationBuilder()
                    .withKey(keyValue[0])
                    .withOperator(keyValue.length == 2 ? "Equal" : "Exists");
            if (keyValue.length == 2) {
                builder.withValue(keyValue[1]);
            }
            if (keyEffect.length == 2 && !keyEffect[1].isBlank()) {
                builder.withEffect(keyEffect[1]);
            }
            tolerations.add(builder.build());
        }
        return tolerations;
    }
}
