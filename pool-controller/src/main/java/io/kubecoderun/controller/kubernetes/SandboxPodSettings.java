package io.kubecoderun.controller.kubernetes;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What the controller puts into every sandbox pod: the image per language, resources, scheduling, and limits.
 * Names of the original KubeCodeRun configuration in brackets.
 *
 * @param namespace            where sandboxes run [K8S_NAMESPACE]
 * @param images               image per language id [LANG_IMAGE_&lt;LANG&gt;, else K8S_IMAGE_REGISTRY/kubecoderun-&lt;lang&gt;:K8S_IMAGE_TAG]
 * @param pullSecrets          [K8S_IMAGE_PULL_SECRETS]
 * @param cpuLimit             [K8S_CPU_LIMIT]
 * @param memoryLimit          [K8S_MEMORY_LIMIT]
 * @param cpuRequest           [K8S_CPU_REQUEST]
 * @param memoryRequest        [K8S_MEMORY_REQUEST]
 * @param runtimeClassName     gVisor or Kata, or null [K8S_RUNTIME_CLASS]
 * @param nodeSelector         [K8S_NODE_SELECTOR, "k=v,k2=v2"]
 * @param tolerations          "key=value:Effect" or "key:Effect" entries [K8S_TOLERATIONS]
 * @param dataSizeLimit        emptyDir size of /mnt/data [K8S_DATA_SIZE_LIMIT]
 * @param tmpSizeLimit         emptyDir size of /tmp [K8S_TMP_SIZE_LIMIT]
 * @param maxAge               a pool pod's activeDeadlineSeconds: an orphan dies on its own [POD_POOL_MAX_AGE]
 * @param jobDeadline          a Job's activeDeadlineSeconds [K8S_JOB_DEADLINE]
 * @param jobTtlAfterFinished  ttlSecondsAfterFinished of a Job [K8S_JOB_TTL]
 */
public record SandboxPodSettings(
        String namespace,
        Map<String, String> images,
        List<String> pullSecrets,
        String cpuLimit,
        String memoryLimit,
        String cpuRequest,
        String memoryRequest,
        String runtimeClassName,
        Map<String, String> nodeSelector,
        List<String> tolerations,
        String dataSizeLimit,
        String tmpSizeLimit,
        Duration maxAge,
        Duration jobDeadline,
        Duration jobTtlAfterFinished) {

    public SandboxPodSettings {
        images = Map.copyOf(images);
        pullSecrets = List.copyOf(pullSecrets);
        nodeSelector = Map.copyOf(nodeSelector);
        tolerations = List.copyOf(tolerations);
    }

    public String image(String language) {
        String image = images.get(language);
        if (image == null) {
            throw new IllegalArgumentException("no image configured for language " + language);
        }
        return image;
    }
}
