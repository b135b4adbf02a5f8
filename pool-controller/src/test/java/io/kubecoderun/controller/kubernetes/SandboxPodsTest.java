package io.kubecoderun.controller.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.controller.ControllerSettings;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the sandbox pod spec says about pulling its image. */
class SandboxPodsTest {

    @Test
    void aMovingReferenceIsPulledEveryTimeAPinnedOneOnce() {
        assertEquals("Always", SandboxPods.pullPolicy("kubecoderun/kubecoderun-python:latest"));
        assertEquals("Always", SandboxPods.pullPolicy("kubecoderun/kubecoderun-python"));
        assertEquals("Always", SandboxPods.pullPolicy("registry.example.com:5000/kcr/kubecoderun-python"));
        assertEquals("IfNotPresent", SandboxPods.pullPolicy("registry.example.com:5000/kcr/kubecoderun-python:0.1.0"));
        assertEquals("IfNotPresent", SandboxPods.pullPolicy("kcr/kubecoderun-python@sha256:" + "a".repeat(64)));
    }

    @Test
    void poolPodsAndJobsCarryThePolicyAndThePullSecrets() {
        for (var entry : Map.of("latest", "Always", "0.1.0", "IfNotPresent").entrySet()) {
            SandboxPodSettings settings = ControllerSettings.fromEnvironment(
                            Map.of(
                                    "KCR_PLATFORM", "kubernetes",
                                    "K8S_IMAGE_REGISTRY", "registry.example.com/kcr",
                                    "K8S_IMAGE_TAG", entry.getKey(),
                                    "K8S_IMAGE_PULL_SECRETS", "pull-a,pull-b"),
                            "test")
                    .pods();
            for (var spec : List.of(
                    SandboxPods.poolPod(settings, "py", "kcr-py-1").getSpec(),
                    SandboxPods.job(settings, "go", "kcr-job-1", "req")
                            .getSpec()
                            .getTemplate()
                            .getSpec())) {
                assertEquals(entry.getValue(), spec.getContainers().get(0).getImagePullPolicy(), entry.getKey());
                assertEquals(
                        List.of("pull-a", "pull-b"),
                        spec.getImagePullSecrets().stream()
                                .map(r -> r.getName())
                                .toList());
            }
        }
    }
}
