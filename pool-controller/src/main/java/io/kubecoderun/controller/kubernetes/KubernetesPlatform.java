package io.kubecoderun.controller.kubernetes;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.registry.Subscription;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Sandbox pods on Kubernetes with fabric8: pool pods created directly, Jobs for cold requests, both observed
 * through one informer on the {@code app.kubernetes.io/managed-by=kubecoderun} label (a watch, never polling).
 * Deletes carry a resourceVersion precondition, which implies the uid: a pod of the same name created since is
 * never deleted by mistake.
 */
public final class KubernetesPlatform implements Platform {
    private static final Logger LOG = Logger.getLogger(KubernetesPlatform.class.getName());
    private static final long SYNC_TIMEOUT_SECONDS = 30;
    private static final int NAME_SUFFIX = 10;

    private final KubernetesClient client;
    private final SandboxPodSettings settings;
    private final Clock clock;
    private final SharedIndexInformer<Pod> informer;
    private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

    public KubernetesPlatform(KubernetesClient client, SandboxPodSettings settings, Clock clock) {
        this.client = client;
        this.settings = settings;
        this.clock = clock;
        this.informer = client.pods()
                .inNamespace(settings.namespace())
                .withLabel(SandboxPods.LABEL_MANAGED_BY, SandboxPods.MANAGED_BY)
                .inform();
        try {
            informer.start().toCompletableFuture().get(SYNC_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("the pod watch did not sync: " + e.getMessage(), e);
        }
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public List<SandboxPod> pods(String language) {
        List<SandboxPod> out = new ArrayList<>();
        for (Pod pod : informer.getStore().list()) {
            Map<String, String> labels = pod.getMetadata().getLabels();
            if (labels == null || !language.equals(labels.get(SandboxPods.LABEL_LANGUAGE))) {
                continue;
            }
            out.add(toSandbox(pod, language, labels.get(SandboxPods.LABEL_REQUEST)));
        }
        return out;
    }

    /** Calls {@code listener} when a pod's phase as the controller sees it changes, and when a pod is gone. */
    @Override
    public Subscription onPodsChanged(Runnable listener) {
        ResourceEventHandler<Pod> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                // Created by this controller (it counts the creation in flight) or listed at start: nothing to act on.
            }

            @Override
            public void onUpdate(Pod before, Pod after) {
                if (toSandbox(before, "", null).phase()
                        != toSandbox(after, "", null).phase()) {
                    listener.run();
                }
            }

            @Override
            public void onDelete(Pod pod, boolean finalStateUnknown) {
                listener.run();
            }
        };
        informer.addEventHandler(handler);
        return () -> informer.removeEventHandler(handler);
    }

    private SandboxPod toSandbox(Pod pod, String language, String requestId) {
        String uid = pod.getMetadata().getUid();
        String name = pod.getMetadata().getName();
        Instant created = createdAt(pod);
        var status = pod.getStatus();
        String phaseName = status == null ? null : status.getPhase();
        boolean ready = false;
        boolean unschedulable = false;
        if (status != null && status.getConditions() != null) {
            for (PodCondition c : status.getConditions()) {
                if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                    ready = true;
                }
                if ("PodScheduled".equals(c.getType())
                        && "False".equals(c.getStatus())
                        && "Unschedulable".equals(c.getReason())) {
                    unschedulable = true;
                }
            }
        }
        String ip = status == null ? null : status.getPodIP();
        ObservedPod.Phase phase;
        if (pod.getMetadata().getDeletionTimestamp() != null) {
            phase = ObservedPod.Phase.TERMINATING;
        } else if ("Failed".equals(phaseName) || "Succeeded".equals(phaseName)) {
            phase = ObservedPod.Phase.FAILED;
        } else if ("Running".equals(phaseName) && ready && ip != null && !ip.isBlank()) {
            phase = ObservedPod.Phase.READY;
        } else {
            phase = ObservedPod.Phase.STARTING;
        }
        return new SandboxPod(
                language,
                name,
                uid == null ? name : uid,
                phase,
                unschedulable,
                created,
                phase == ObservedPod.Phase.READY ? ip : null,
                SandboxPods.RUNNER_PORT,
                requestId);
    }

    private Instant createdAt(Pod pod) {
        String stamp = pod.getMetadata().getCreationTimestamp();
        if (stamp != null) {
            try {
                return Instant.parse(stamp);
            } catch (RuntimeException ignored) {
                // Fall back to when we first saw it.
            }
        }
        return firstSeen.computeIfAbsent(pod.getMetadata().getName(), n -> clock.instant());
    }

    @Override
    public String create(String language, String requestId) throws PlatformException {
        try {
            if (requestId == null) {
                String name = "kcr-" + language + "-"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, NAME_SUFFIX);
                client.pods()
                        .inNamespace(settings.namespace())
                        .resource(SandboxPods.poolPod(settings, language, name))
                        .create();
                return name;
            }
            String name = jobName(requestId);
            try {
                client.batch()
                        .v1()
                        .jobs()
                        .inNamespace(settings.namespace())
                        .resource(SandboxPods.job(settings, language, name, requestId))
                        .create();
            } catch (KubernetesClientException e) {
                if (e.getCode() != 409) {
                    throw e;
                }
                // AlreadyExists: a replayed request; the Job it started is the one.
            }
            return name;
        } catch (KubernetesClientException e) {
            throw failure("create " + language + " pod", e);
        }
    }

    @Override
    public void delete(SandboxPod pod) throws PlatformException {
        try {
            Pod cached = informer.getStore().getByKey(settings.namespace() + "/" + pod.name());
            if (cached == null || !pod.uid().equals(cached.getMetadata().getUid())) {
                return; // gone, or another pod now carries the name
            }
            if (pod.requestId() != null) {
                client.batch()
                        .v1()
                        .jobs()
                        .inNamespace(settings.namespace())
                        .withName(jobName(pod.requestId()))
                        .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND)
                        .delete();
            }
            client.pods()
                    .inNamespace(settings.namespace())
                    .withName(pod.name())
                    .lockResourceVersion(cached.getMetadata().getResourceVersion())
                    .delete();
        } catch (KubernetesClientException e) {
            if (e.getCode() == 404) {
                return;
            }
            if (e.getCode() == 409) {
                LOG.info("event=delete_conflict pod=" + pod.name() + " detail=\"changed since observed; next pass\"");
                return;
            }
            throw failure("delete " + pod.name(), e);
        }
    }

    private static PlatformException failure(String what, KubernetesClientException e) {
        int code = e.getCode();
        boolean transientFailure = code == 403 || code == 429 || code >= 500 || code == 0;
        return new PlatformException(what + " failed (HTTP " + code + "): " + e.getMessage(), transientFailure, e);
    }

    @Override
    public void close() {
        informer.close();
    }

    /**
     * The Job of a request is named after its id, so a replayed request meets AlreadyExists and the used Job is
     * deleted by name: a DELETE of the Job collection by label would need {@code deletecollection}, which the
     * controller's Role does not grant (the API server answers 403, and the pod delete behind it was skipped).
     */
    static String jobName(String requestId) {
        return "kcr-job-" + requestId.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-");
    }
}
