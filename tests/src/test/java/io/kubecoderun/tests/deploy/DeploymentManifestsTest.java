package io.kubecoderun.tests.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.knative.eventing.v1.Broker;
import io.fabric8.knative.eventing.v1.Trigger;
import io.fabric8.knative.serving.v1.Service;
import io.fabric8.knative.sources.v1.PingSource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteFilter;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1beta1.ReferenceGrant;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.kubecoderun.controller.ControllerSettings;
import io.kubecoderun.controller.kubernetes.SandboxPodSettings;
import io.kubecoderun.controller.kubernetes.SandboxPods;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every overlay under knative/, rendered and parsed into fabric8's typed models (Knative, core, RBAC, networking,
 * policy, Gateway API), checked against the code it deploys: the sandbox pods the controller generates, the labels
 * it puts on them, the API the controller calls, the routes of API.md, the images images/build.sh builds.
 */
class DeploymentManifestsTest {
    private static final String NAMESPACE = "kubecoderun";
    private static final List<String> FUNCTIONS = List.of("exec", "files", "state", "health");
    private static final String FUNCTIONS_SA = "kubecoderun-functions";
    private static final String CONTROLLER = "kubecoderun-pool-controller";
    /**
     * What the controller may do: exactly what it sends (KubernetesPoolIT's RBAC check records every request of
     * the controller against this Role: the pod informer lists and watches, pods and Jobs are created and deleted
     * by name, the leader Lease is read, created and renewed with a PATCH), plus events.
     */
    private static final Map<String, Set<String>> CONTROLLER_MAY = Map.of(
            "pods", Set.of("list", "watch", "create", "delete"),
            "jobs", Set.of("create", "delete"),
            "leases", Set.of("get", "create", "patch"),
            "events", Set.of("create", "patch"));
    /** What it must be able to do, or it does not work: the informer, creates, deletes, the leader Lease. */
    private static final Map<String, Set<String>> CONTROLLER_NEEDS = Map.of(
            "pods", Set.of("list", "watch", "create", "delete"),
            "jobs", Set.of("create", "delete"),
            "leases", Set.of("get", "create", "patch"));
    /** Images a manifest may name that images/ does not build: the dev overlay's trial Redis and MinIO. */
    private static final Set<String> THIRD_PARTY_IN_DEV = Set.of("redis", "quay.io/minio/minio");
    /**
     * What a route rule allows beyond its function's own timeoutSeconds: a start from zero (a Quarkus JVM function
     * is ready in a few seconds; the activator holds the request meanwhile), so Knative's answer ends a slow request.
     */
    private static final long COLD_START_SECONDS = 30;

    static List<Path> overlays() {
        return Manifests.overlays();
    }

    @Test
    void thereAreAProductionAndADevOverlay() {
        assertEquals(
                List.of("dev", "production"),
                overlays().stream().map(p -> p.getFileName().toString()).toList());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyObjectParsesIntoItsTypedModelAndLivesInTheNamespace(Path overlay) {
        for (HasMetadata object : Manifests.render(overlay)) {
            assertFalse(
                    object instanceof GenericKubernetesResource,
                    "no typed model for " + object.getApiVersion() + " " + object.getKind()
                            + " (a typo in apiVersion or kind?): "
                            + object.getMetadata().getName());
            if (!(object instanceof Namespace)) {
                String expected = object.getKind().equals("ReferenceGrant") ? backendNamespace(overlay) : NAMESPACE;
                assertEquals(
                        expected,
                        object.getMetadata().getNamespace(),
                        object.getKind() + " " + object.getMetadata().getName());
            }
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void kubectlAndTheTestsOwnRendererAgree(Path overlay) {
        var kubectl = Manifests.kubectlRender(overlay);
        Assumptions.assumeTrue(kubectl.isPresent(), "kubectl is not installed: only the tests' renderer ran");
        Map<String, JsonNode> theirs = byKey(kubectl.get());
        Map<String, JsonNode> ours = byKey(Manifests.renderOwn(overlay));
        assertEquals(theirs.keySet(), ours.keySet());
        for (String key : theirs.keySet()) {
            assertEquals(theirs.get(key), ours.get(key), key);
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void eachFunctionIsAKnativeServiceWithAutoscalingProbesResourcesAndTheSharedConfiguration(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        Map<String, Service> services = byName(objects, Service.class);
        assertEquals(Set.copyOf(FUNCTIONS), services.keySet());
        for (Service service : services.values()) {
            String name = service.getMetadata().getName();
            Map<String, String> annotations =
                    service.getSpec().getTemplate().getMetadata().getAnnotations();
            assertEquals("kpa.autoscaling.knative.dev", annotations.get("autoscaling.knative.dev/class"), name);
            assertTrue(Set.of("concurrency", "rps").contains(annotations.get("autoscaling.knative.dev/metric")), name);
            assertTrue(Integer.parseInt(annotations.get("autoscaling.knative.dev/target")) > 0, name);
            int min = Integer.parseInt(annotations.get("autoscaling.knative.dev/min-scale"));
            int max = Integer.parseInt(annotations.get("autoscaling.knative.dev/max-scale"));
            assertTrue(min <= max && max > 0, name);
            if (!name.equals("exec")) {
                assertEquals(0, min, name + " scales to zero");
            }
            assertEquals(
                    "cluster-local",
                    service.getMetadata().getLabels().get("networking.knative.dev/visibility"),
                    name + " is reached through the route, not a URL of its own");
            assertEquals(
                    "kubecoderun-" + name,
                    service.getSpec().getTemplate().getMetadata().getLabels().get("app.kubernetes.io/name"));

            var spec = service.getSpec().getTemplate().getSpec();
            assertEquals(FUNCTIONS_SA, spec.getServiceAccountName(), name);
            assertEquals(1, spec.getContainers().size(), name);
            Container c = spec.getContainers().get(0);
            assertEquals(8080, c.getPorts().get(0).getContainerPort(), name + " listens on $PORT, 8080");
            assertProbe(c.getReadinessProbe(), "/q/health/ready", name);
            assertProbe(c.getLivenessProbe(), "/q/health/live", name);
            assertNotNull(c.getResources().getRequests().get("memory"), name);
            assertNotNull(c.getResources().getLimits().get("memory"), name);
            assertEquals(Set.of("configmap:kubecoderun-config", "secret:kubecoderun-secrets"), envFrom(c), name);
            SecurityContext sc = c.getSecurityContext();
            assertEquals(Boolean.TRUE, sc.getRunAsNonRoot(), name);
            assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(), name);
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), name);
            assertEquals("RuntimeDefault", sc.getSeccompProfile().getType(), name);
        }
        Service exec = services.get("exec");
        assertTrue(
                exec.getSpec().getTemplate().getSpec().getTimeoutSeconds()
                        > Long.parseLong(config(objects).get("MAX_EXECUTION_TIME")),
                "the exec request timeout outlasts the longest execution");
        if (overlay.getFileName().toString().equals("production")) {
            assertEquals(
                    "1",
                    exec.getSpec()
                            .getTemplate()
                            .getMetadata()
                            .getAnnotations()
                            .get("autoscaling.knative.dev/min-scale"),
                    "production keeps one exec replica warm");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theFunctionsServiceAccountHasNoKubernetesPermissionsAndNoToken(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        ServiceAccount sa = byName(objects, ServiceAccount.class).get(FUNCTIONS_SA);
        assertNotNull(sa);
        assertEquals(Boolean.FALSE, sa.getAutomountServiceAccountToken());
        for (RoleBinding binding : all(objects, RoleBinding.class)) {
            binding.getSubjects()
                    .forEach(s -> assertFalse(
                            FUNCTIONS_SA.equals(s.getName()),
                            "RoleBinding " + binding.getMetadata().getName() + " grants the functions permissions"));
        }
        assertTrue(all(objects, ClusterRole.class).isEmpty(), "nothing cluster-wide");
        assertTrue(all(objects, ClusterRoleBinding.class).isEmpty(), "nothing cluster-wide");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theControllerRoleGrantsWhatItNeedsAndNothingElse(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        List<Role> roles = all(objects, Role.class);
        assertEquals(1, roles.size(), "one Role: the controller's");
        Role role = roles.get(0);
        Map<String, Set<String>> granted = new HashMap<>();
        for (PolicyRule rule : role.getRules()) {
            assertTrue(
                    rule.getResourceNames() == null
                            || rule.getResourceNames().isEmpty()
                            || rule.getResources().equals(List.of("leases")),
                    "resourceNames only narrow");
            assertTrue(rule.getNonResourceURLs() == null
                    || rule.getNonResourceURLs().isEmpty());
            for (String resource : rule.getResources()) {
                Set<String> may = CONTROLLER_MAY.get(resource);
                assertNotNull(may, "the controller Role grants " + resource + ", which it does not need");
                for (String verb : rule.getVerbs()) {
                    assertTrue(may.contains(verb), "the controller Role grants " + verb + " on " + resource);
                    granted.computeIfAbsent(resource, r -> new HashSet<>()).add(verb);
                }
            }
        }
        CONTROLLER_NEEDS.forEach((resource, verbs) -> assertTrue(
                granted.getOrDefault(resource, Set.of()).containsAll(verbs),
                "the controller needs " + verbs + " on " + resource + "; granted " + granted.get(resource)));

        List<RoleBinding> bindings = all(objects, RoleBinding.class);
        assertEquals(1, bindings.size());
        assertEquals(role.getMetadata().getName(), bindings.get(0).getRoleRef().getName());
        assertEquals("Role", bindings.get(0).getRoleRef().getKind());
        assertEquals(
                List.of(CONTROLLER),
                bindings.get(0).getSubjects().stream().map(s -> s.getName()).toList());

        Deployment controller = byName(objects, Deployment.class).get(CONTROLLER);
        assertEquals(2, controller.getSpec().getReplicas(), "two replicas, one leader");
        PodSpec spec = controller.getSpec().getTemplate().getSpec();
        assertEquals(CONTROLLER, spec.getServiceAccountName());
        Container c = spec.getContainers().get(0);
        Map<String, String> env = new HashMap<>();
        c.getEnv()
                .forEach(e -> env.put(
                        e.getName(),
                        e.getValue() != null
                                ? e.getValue()
                                : "fieldRef:" + e.getValueFrom().getFieldRef().getFieldPath()));
        assertEquals("kubernetes", env.get("KCR_PLATFORM"));
        assertEquals("fieldRef:metadata.name", env.get("POD_NAME"), "each replica's identity in the Lease");
        assertProbe(c.getReadinessProbe(), "/q/health/ready", CONTROLLER);
        assertProbe(c.getLivenessProbe(), "/q/health/live", CONTROLLER);
        assertEquals(Set.of("configmap:kubecoderun-config", "secret:kubecoderun-secrets"), envFrom(c));

        PodDisruptionBudget pdb = byName(objects, PodDisruptionBudget.class).get(CONTROLLER);
        assertNotNull(pdb);
        assertTrue(selects(
                pdb.getSpec().getSelector(),
                controller.getSpec().getTemplate().getMetadata().getLabels()));
        assertEquals(1, pdb.getSpec().getMinAvailable().getIntVal());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void sandboxPodsTheControllerGeneratesAreHardened(Path overlay) {
        SandboxPodSettings settings =
                controllerSettings(Manifests.render(overlay)).pods();
        assertEquals(NAMESPACE, settings.namespace());
        for (PodSpec spec : List.of(
                SandboxPods.poolPod(settings, "py", "kcr-py-test").getSpec(),
                SandboxPods.job(settings, "go", "kcr-job-test", "req")
                        .getSpec()
                        .getTemplate()
                        .getSpec())) {
            assertEquals(Boolean.FALSE, spec.getAutomountServiceAccountToken(), "no service-account token");
            assertEquals(Boolean.FALSE, spec.getEnableServiceLinks());
            assertEquals(Boolean.TRUE, spec.getSecurityContext().getRunAsNonRoot());
            assertEquals(65532L, spec.getSecurityContext().getRunAsUser());
            assertEquals(
                    "RuntimeDefault",
                    spec.getSecurityContext().getSeccompProfile().getType());
            assertEquals(1, spec.getContainers().size(), "one container: runtime plus runner");
            SecurityContext sc = spec.getContainers().get(0).getSecurityContext();
            assertEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation());
            assertEquals(Boolean.FALSE, sc.getPrivileged());
            assertEquals(Boolean.TRUE, sc.getReadOnlyRootFilesystem());
            assertEquals(Boolean.TRUE, sc.getRunAsNonRoot());
            assertEquals(List.of("ALL"), sc.getCapabilities().getDrop());
            assertTrue(sc.getCapabilities().getAdd() == null
                    || sc.getCapabilities().getAdd().isEmpty());
            assertNotNull(spec.getContainers().get(0).getResources().getLimits().get("memory"));
            assertNotNull(spec.getActiveDeadlineSeconds(), "an orphan dies on its own");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theNamespaceEnforcesPodSecurityRestrictedAndEveryPodMeetsIt(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        Map<String, String> labels =
                byName(objects, Namespace.class).get(NAMESPACE).getMetadata().getLabels();
        assertEquals("restricted", labels.get("pod-security.kubernetes.io/enforce"));
        assertEquals("latest", labels.get("pod-security.kubernetes.io/enforce-version"));

        Map<String, PodSpec> pods = new TreeMap<>();
        for (HasMetadata object : objects) {
            JsonNode json = Manifests.JSON.valueToTree(object);
            boolean hasPods = !json.at("/spec/template").isMissingNode()
                    || !json.at("/spec/jobTemplate").isMissingNode()
                    || object.getKind().equals("Pod");
            if (hasPods) {
                assertTrue(
                        object instanceof Deployment || object instanceof Service,
                        object.getKind() + " " + object.getMetadata().getName()
                                + " makes pods this test does not check; teach it");
            }
        }
        for (Deployment d : all(objects, Deployment.class)) {
            pods.put(
                    "Deployment " + d.getMetadata().getName(),
                    d.getSpec().getTemplate().getSpec());
        }
        for (Service s : all(objects, Service.class)) {
            // A revision pod is the Service's template plus Knative's queue-proxy sidecar.
            PodSpec spec = Manifests.JSON.convertValue(s.getSpec().getTemplate().getSpec(), PodSpec.class);
            spec.getContainers().add(PodSecurityRestricted.QUEUE_PROXY);
            pods.put("Knative Service " + s.getMetadata().getName() + " with queue-proxy", spec);
        }
        SandboxPodSettings settings = controllerSettings(objects).pods();
        pods.put(
                "sandbox pool pod",
                SandboxPods.poolPod(settings, "py", "kcr-py-test").getSpec());
        pods.put(
                "sandbox Job pod",
                SandboxPods.job(settings, "go", "kcr-job-test", "req")
                        .getSpec()
                        .getTemplate()
                        .getSpec());
        assertTrue(pods.size() >= 7, pods.keySet().toString());
        Map<String, List<String>> refused = new TreeMap<>();
        pods.forEach((who, spec) -> {
            List<String> problems = PodSecurityRestricted.violations(spec);
            if (!problems.isEmpty()) {
                refused.put(who, problems);
            }
        });
        assertEquals(Map.of(), refused, "pods the restricted admission refuses");
    }

    @Test
    void theRestrictedCheckRefusesWhatTheAdmissionRefuses() {
        PodSpec hardened = SandboxPods.poolPod(
                        controllerSettings(Manifests.render(overlays().get(0))).pods(), "py", "kcr-py-test")
                .getSpec();
        assertEquals(List.of(), PodSecurityRestricted.violations(hardened));
        PodSpec loose = Manifests.JSON.convertValue(hardened, PodSpec.class);
        loose.getSecurityContext().setSeccompProfile(null);
        loose.getContainers().get(0).getSecurityContext().setAllowPrivilegeEscalation(null);
        loose.getContainers().get(0).getSecurityContext().getCapabilities().setDrop(List.of("NET_RAW"));
        loose.setHostNetwork(true);
        assertEquals(
                List.of(
                        "host namespaces",
                        "container sandbox: allowPrivilegeEscalation is not false",
                        "container sandbox: no RuntimeDefault or Localhost seccomp profile (pod or container)",
                        "container sandbox: capabilities do not drop ALL"),
                PodSecurityRestricted.violations(loose));
        PodSpec root = Manifests.JSON.convertValue(hardened, PodSpec.class);
        root.getSecurityContext().setRunAsNonRoot(null);
        root.getContainers().get(0).getSecurityContext().setRunAsNonRoot(null);
        root.getVolumes().get(0).setEmptyDir(null);
        root.getVolumes().get(0).setHostPath(new io.fabric8.kubernetes.api.model.HostPathVolumeSource("/", null));
        assertEquals(
                List.of(
                        "volume data of type hostPath",
                        "container sandbox: runAsNonRoot is not true (pod or container)"),
                PodSecurityRestricted.violations(root));
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theNetworkPolicyIsolatesExactlyThePodsTheControllerLabelsAsSandboxes(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        SandboxPodSettings settings = controllerSettings(objects).pods();
        Pod pool = SandboxPods.poolPod(settings, "py", "kcr-py-test");
        Job job = SandboxPods.job(settings, "go", "kcr-job-test", "req");
        List<NetworkPolicy> policies = all(objects, NetworkPolicy.class);
        assertEquals(1, policies.size());
        NetworkPolicy policy = policies.get(0);
        LabelSelector sandboxes = policy.getSpec().getPodSelector();
        assertTrue(selects(sandboxes, pool.getMetadata().getLabels()), "selects warm pool pods");
        assertTrue(selects(sandboxes, job.getSpec().getTemplate().getMetadata().getLabels()), "selects Job pods");

        Map<String, String> exec = byName(objects, Service.class)
                .get("exec")
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels();
        Map<String, String> controller = byName(objects, Deployment.class)
                .get(CONTROLLER)
                .getSpec()
                .getTemplate()
                .getMetadata()
                .getLabels();
        for (Service function : byName(objects, Service.class).values()) {
            assertFalse(
                    selects(
                            sandboxes,
                            function.getSpec().getTemplate().getMetadata().getLabels()),
                    "the policy must not isolate the " + function.getMetadata().getName() + " function");
        }
        assertFalse(selects(sandboxes, controller), "the policy must not isolate the controller");

        assertEquals(Set.of("Ingress", "Egress"), Set.copyOf(policy.getSpec().getPolicyTypes()));
        assertTrue(
                policy.getSpec().getEgress() == null
                        || policy.getSpec().getEgress().isEmpty(),
                "no egress at all, DNS included");
        List<NetworkPolicyIngressRule> ingress = policy.getSpec().getIngress();
        assertEquals(1, ingress.size());
        assertEquals(
                List.of(SandboxPods.RUNNER_PORT),
                ingress.get(0).getPorts().stream()
                        .map(p -> p.getPort().getIntVal())
                        .toList());
        List<NetworkPolicyPeer> from = ingress.get(0).getFrom();
        for (NetworkPolicyPeer peer : from) {
            assertNull(peer.getIpBlock(), "no address ranges");
            assertNull(peer.getNamespaceSelector(), "only pods of this namespace");
            assertNotNull(peer.getPodSelector());
        }
        assertTrue(from.stream().anyMatch(p -> selects(p.getPodSelector(), exec)), "exec reaches runners");
        assertTrue(from.stream().anyMatch(p -> selects(p.getPodSelector(), controller)), "the controller probes them");
        for (String other : List.of("files", "state", "health")) {
            Map<String, String> labels = byName(objects, Service.class)
                    .get(other)
                    .getSpec()
                    .getTemplate()
                    .getMetadata()
                    .getLabels();
            assertFalse(
                    from.stream().anyMatch(p -> selects(p.getPodSelector(), labels)),
                    other + " never talks to a runner, so it may not");
        }
        assertFalse(
                from.stream()
                        .anyMatch(p ->
                                selects(p.getPodSelector(), pool.getMetadata().getLabels())),
                "a sandbox may not reach another sandbox");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyPublicRouteOfTheApiIsRoutedToTheFunctionThatServesIt(Path overlay) {
        List<HTTPRoute> routes = all(Manifests.render(overlay), HTTPRoute.class);
        assertEquals(1, routes.size(), "one route: one base URL");
        HTTPRoute route = routes.get(0);
        for (PublicRoutes.Route r : PublicRoutes.ALL) {
            String path = PublicRoutes.concrete(r.path(), "V1StGXR8_Z5jdHi6B-myT", "fA1bC2dE3fG4hI5jK6lM7");
            for (String prefixed : List.of(path, "/v1" + path)) {
                assertEquals(
                        r.function(),
                        PublicRoutes.functionFor(route, prefixed).orElse("(none)"),
                        r.method() + " " + prefixed);
            }
        }
        // Nothing else leaks out through the base URL: the CloudEvent endpoint and Prometheus stay internal.
        for (String internal : List.of("/", "/q/metrics", "/q/health/ready", "/executions", "/v1/q/metrics")) {
            assertTrue(PublicRoutes.functionFor(route, internal).isEmpty(), internal + " is not public");
        }
        assertFalse(route.getSpec().getParentRefs().isEmpty());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRouteRuleOutlastsTheFunctionItReachesColdStartIncluded(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        Map<String, Service> services = byName(objects, Service.class);
        HTTPRoute route = all(objects, HTTPRoute.class).get(0);
        Set<String> reached = new HashSet<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            String function = PublicRoutes.functionFor(
                            route, rule.getMatches().get(0).getPath().getValue())
                    .orElseThrow();
            reached.add(function);
            assertNotNull(
                    rule.getTimeouts() == null ? null : rule.getTimeouts().getRequest(),
                    "the rule for " + function + " sets timeouts.request (else Envoy's 15 s applies)");
            long request = gatewayDurationSeconds(rule.getTimeouts().getRequest());
            long backend =
                    services.get(function).getSpec().getTemplate().getSpec().getTimeoutSeconds();
            assertTrue(
                    request >= backend + COLD_START_SECONDS,
                    "the route gives " + function + " " + request + " s; its Service allows " + backend + " s, plus "
                            + COLD_START_SECONDS + " s for a start from zero");
        }
        assertEquals(Set.copyOf(FUNCTIONS), reached);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void hostRewritesNameEachFunctionWithoutTheClusterDomain(Path overlay) throws Exception {
        List<HasMetadata> objects = Manifests.render(overlay);
        HTTPRoute route = all(objects, HTTPRoute.class).get(0);
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            for (HTTPRouteFilter filter : rule.getFilters()) {
                String host = filter.getUrlRewrite().getHostname();
                assertTrue(
                        host.matches("[a-z]+\\." + NAMESPACE + "\\.svc"),
                        host + ": <function>." + NAMESPACE + ".svc, which Knative matches on any cluster domain");
            }
        }
        for (HasMetadata object : objects) {
            String json = Manifests.JSON.writeValueAsString(object);
            assertFalse(
                    json.contains("cluster.local"),
                    object.getKind() + " " + object.getMetadata().getName()
                            + " names the cluster domain; <name>.<namespace>.svc works on every cluster");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void theReferenceGrantAdmitsExactlyTheRoutesBackends(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        HTTPRoute route = all(objects, HTTPRoute.class).get(0);
        Set<String> backends = new HashSet<>();
        for (HTTPRouteRule rule : route.getSpec().getRules()) {
            assertEquals(1, rule.getBackendRefs().size(), "one backend: Knative's cluster-local gateway");
            HTTPBackendRef ref = rule.getBackendRefs().get(0);
            backends.add(ref.getNamespace() + "/" + ref.getName());
        }
        assertEquals(1, backends.size(), "every rule reaches the same local gateway: " + backends);
        List<ReferenceGrant> grants = all(objects, ReferenceGrant.class);
        assertEquals(1, grants.size());
        ReferenceGrant grant = grants.get(0);
        String backend = backends.iterator().next();
        assertEquals(backend.split("/")[0], grant.getMetadata().getNamespace(), "a grant lives with what it grants");
        assertEquals(
                List.of("/Service/" + backend.split("/")[1]),
                grant.getSpec().getTo().stream()
                        .map(t -> t.getGroup() + "/" + t.getKind() + "/" + t.getName())
                        .toList());
        assertEquals(
                List.of("gateway.networking.k8s.io/HTTPRoute/" + NAMESPACE),
                grant.getSpec().getFrom().stream()
                        .map(f -> f.getGroup() + "/" + f.getKind() + "/" + f.getNamespace())
                        .toList());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void eventsReachTheExecFunctionAndThePingWakesTheStateArchiver(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        Broker broker = all(objects, Broker.class).get(0);
        Trigger trigger = all(objects, Trigger.class).get(0);
        assertEquals(broker.getMetadata().getName(), trigger.getSpec().getBroker());
        assertEquals(
                Map.of("type", "io.kubecoderun.exec.request"),
                trigger.getSpec().getFilter().getAttributes());
        assertEquals("Service", trigger.getSpec().getSubscriber().getRef().getKind());
        assertEquals(
                "serving.knative.dev/v1",
                trigger.getSpec().getSubscriber().getRef().getApiVersion());
        assertEquals("exec", trigger.getSpec().getSubscriber().getRef().getName());
        PingSource ping = all(objects, PingSource.class).get(0);
        assertEquals("state", ping.getSpec().getSink().getRef().getName());
        assertEquals("/internal/archive-state", ping.getSpec().getSink().getUri(), "StateArchiveTrigger's path");
        HTTPRoute route = all(objects, HTTPRoute.class).get(0);
        assertTrue(
                PublicRoutes.functionFor(route, ping.getSpec().getSink().getUri())
                        .isEmpty(),
                "the archive trigger is internal");
        int everyMinutes =
                Integer.parseInt(ping.getSpec().getSchedule().split(" ")[0].replace("*/", ""));
        assertTrue(
                everyMinutes * 60 < Integer.parseInt(config(objects).get("STATE_ARCHIVE_AFTER_SECONDS")),
                "the archive pass runs more often than its horizon, so no state expires unarchived");
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyRedeliveryOfAnExecEventFallsWithinTheWindowItsAnswerIsKept(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        Trigger trigger = all(objects, Trigger.class).get(0);
        var delivery = trigger.getSpec().getDelivery();
        assertNotNull(delivery.getTimeout(), "each attempt is bounded, so the schedule is");
        java.time.Duration attempt = java.time.Duration.parse(delivery.getTimeout());
        long exec = byName(objects, Service.class)
                .get("exec")
                .getSpec()
                .getTemplate()
                .getSpec()
                .getTimeoutSeconds();
        assertTrue(attempt.toSeconds() > exec, "an attempt outlasts exec's own timeout, so Knative's answer ends it");
        // Knative's exponential back-off waits backoffDelay * 2^n before retry n; counted from n = 1 to be safe.
        java.time.Duration delay = java.time.Duration.parse(delivery.getBackoffDelay());
        assertEquals("exponential", delivery.getBackoffPolicy());
        java.time.Duration schedule = attempt.multipliedBy(delivery.getRetry() + 1);
        for (int n = 1; n <= delivery.getRetry(); n++) {
            schedule = schedule.plus(delay.multipliedBy(1L << n));
        }
        assertTrue(
                schedule.compareTo(replayWindow()) < 0,
                "the last redelivery (" + schedule + " after the first) still finds the answer, kept "
                        + replayWindow());
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void everyImageAManifestNamesIsBuiltByImagesBuildSh(Path overlay) throws Exception {
        List<HasMetadata> objects = Manifests.render(overlay);
        Set<String> named = new HashSet<>();
        for (Service s : all(objects, Service.class)) {
            s.getSpec().getTemplate().getSpec().getContainers().forEach(c -> named.add(c.getImage()));
        }
        for (Deployment d : all(objects, Deployment.class)) {
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> named.add(c.getImage()));
        }
        // The sandbox images the controller will start, from the configuration the manifests give it.
        SandboxPodSettings pods = controllerSettings(objects).pods();
        ControllerSettings.IMAGE_NAMES.keySet().forEach(language -> named.add(pods.image(language)));

        Set<String> unbuilt = new java.util.TreeSet<>();
        for (String image : named) {
            String name = image.substring(0, image.lastIndexOf(':'));
            if (overlay.getFileName().toString().equals("dev") && THIRD_PARTY_IN_DEV.contains(name)) {
                continue;
            }
            int slash = name.lastIndexOf('/');
            String registry = name.substring(0, slash);
            String tag = image.substring(image.lastIndexOf(':') + 1);
            if (!buildList(registry, tag).contains(image)) {
                unbuilt.add(image);
            }
        }
        assertTrue(unbuilt.isEmpty(), "named by a manifest but not built by images/build.sh: " + unbuilt);
        assertTrue(named.size() >= 16, "functions, controller and sandbox images: " + named);
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void productionPinsOneReleaseAndNoNodeKeepsAStaleImage(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        boolean production = overlay.getFileName().toString().equals("production");
        Map<String, String> config = config(objects);
        String registry = config.get("K8S_IMAGE_REGISTRY");
        String tag = config.get("K8S_IMAGE_TAG");
        Map<String, Container> ours = new TreeMap<>();
        for (Service s : all(objects, Service.class)) {
            s.getSpec().getTemplate().getSpec().getContainers().forEach(c -> ours.put(c.getImage(), c));
        }
        for (Deployment d : all(objects, Deployment.class)) {
            d.getSpec().getTemplate().getSpec().getContainers().forEach(c -> ours.put(c.getImage(), c));
        }
        ours.keySet().removeIf(image -> THIRD_PARTY_IN_DEV.contains(image.substring(0, image.lastIndexOf(':'))));
        assertEquals(5, ours.size(), "four functions and the controller: " + ours.keySet());
        for (Container c : ours.values()) {
            String image = c.getImage();
            if (production) {
                String name = image.substring(image.lastIndexOf('/') + 1, image.lastIndexOf(':'));
                assertEquals(registry + "/" + name + ":" + tag, image, "one release: K8S_IMAGE_REGISTRY and _TAG");
            }
            assertFalse(
                    "IfNotPresent".equals(c.getImagePullPolicy())
                            && SandboxPods.pullPolicy(image).equals("Always"),
                    image + " is a moving reference: IfNotPresent would keep a stale copy");
        }
        SandboxPodSettings pods = controllerSettings(objects).pods();
        for (String language : ControllerSettings.IMAGE_NAMES.keySet()) {
            String image = pods.image(language);
            Container sandbox = SandboxPods.poolPod(pods, language, "kcr-test")
                    .getSpec()
                    .getContainers()
                    .get(0);
            assertEquals(SandboxPods.pullPolicy(image), sandbox.getImagePullPolicy(), image);
            if (!production) {
                assertEquals("Always", sandbox.getImagePullPolicy(), "dev runs latest: pulled every time");
            }
        }
        if (production) {
            assertFalse(tag.isBlank() || tag.equals("latest"), "production pins a release tag, not " + tag);
            for (String image : ours.keySet()) {
                assertEquals("IfNotPresent", SandboxPods.pullPolicy(image), image + " is pinned");
            }
            assertEquals("IfNotPresent", SandboxPods.pullPolicy(pods.image("py")), "the sandboxes are pinned too");
        }
    }

    @ParameterizedTest
    @MethodSource("overlays")
    void thePullSecretsOfTheSandboxesReachTheFunctionsAndTheController(Path overlay) {
        List<HasMetadata> objects = Manifests.render(overlay);
        List<String> secrets = controllerSettings(objects).pods().pullSecrets();
        if (overlay.getFileName().toString().equals("production")) {
            assertFalse(secrets.isEmpty(), "production pulls from the operator's registry with K8S_IMAGE_PULL_SECRETS");
        }
        Map<String, ServiceAccount> accounts = byName(objects, ServiceAccount.class);
        for (String account : List.of(FUNCTIONS_SA, CONTROLLER)) {
            List<String> pulls = accounts.get(account).getImagePullSecrets() == null
                    ? List.of()
                    : accounts.get(account).getImagePullSecrets().stream()
                            .map(r -> r.getName())
                            .toList();
            assertEquals(secrets, pulls, account + " carries K8S_IMAGE_PULL_SECRETS");
        }
        // A pod that names pull secrets of its own gets none of its ServiceAccount's: none may.
        for (Service s : all(objects, Service.class)) {
            var spec = s.getSpec().getTemplate().getSpec();
            assertEquals(FUNCTIONS_SA, spec.getServiceAccountName());
            assertTrue(spec.getImagePullSecrets() == null
                    || spec.getImagePullSecrets().isEmpty());
        }
        PodSpec controller = byName(objects, Deployment.class)
                .get(CONTROLLER)
                .getSpec()
                .getTemplate()
                .getSpec();
        assertTrue(controller.getImagePullSecrets() == null
                || controller.getImagePullSecrets().isEmpty());
        SandboxPodSettings pods = controllerSettings(objects).pods();
        assertEquals(
                secrets,
                SandboxPods.poolPod(pods, "py", "kcr-test").getSpec().getImagePullSecrets().stream()
                        .map(r -> r.getName())
                        .toList());
    }

    @Test
    void buildShListsEveryImageTheControllerCanAskFor() throws Exception {
        Set<String> listed = Set.copyOf(buildList("reg.example", "v1"));
        for (String image : Set.copyOf(ControllerSettings.IMAGE_NAMES.values())) {
            assertTrue(listed.contains("reg.example/kubecoderun-" + image + ":v1"), image);
        }
        for (String app : List.of("exec", "files", "state", "health", "pool-controller")) {
            assertTrue(listed.contains("reg.example/kubecoderun-" + app + ":v1"), app);
        }
        assertEquals(List.of("reg.example/kubecoderun-node:v1"), buildList("reg.example", "v1", "ts"));
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private static List<String> buildList(String registry, String tag, String... names) throws Exception {
        List<String> command = new ArrayList<>(
                List.of("bash", Manifests.root().resolve("images/build.sh").toString(), "--list", registry, tag));
        command.addAll(List.of(names));
        Process p = new ProcessBuilder(command).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        if (p.exitValue() != 0) {
            fail("images/build.sh --list failed: " + err);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * ExecEvents.REPLAY_WINDOW, read from its source: the exec app is not on this module's class path (it runs as
     * its own JVM in ProductionShapeIT).
     */
    private static java.time.Duration replayWindow() {
        String source = Manifests.readString(
                Manifests.root().resolve("functions/exec/src/main/java/io/kubecoderun/exec/api/ExecEvents.java"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                        "REPLAY_WINDOW = Duration\\.of(Hours|Minutes)\\((\\d+)\\);")
                .matcher(source);
        assertTrue(m.find(), "ExecEvents.REPLAY_WINDOW = Duration.ofHours(n) or ofMinutes(n)");
        long n = Long.parseLong(m.group(2));
        return m.group(1).equals("Hours") ? java.time.Duration.ofHours(n) : java.time.Duration.ofMinutes(n);
    }

    /** The namespace of Knative's cluster-local gateway, where the route's backends and the ReferenceGrant live. */
    private static String backendNamespace(Path overlay) {
        return all(Manifests.render(overlay), HTTPRoute.class)
                .get(0)
                .getSpec()
                .getRules()
                .get(0)
                .getBackendRefs()
                .get(0)
                .getNamespace();
    }

    /** A Gateway API Duration (GEP-2257: up to four of {@code <n>h}, {@code <n>m}, {@code <n>s}, {@code <n>ms}). */
    static long gatewayDurationSeconds(String duration) {
        java.util.regex.Matcher part =
                java.util.regex.Pattern.compile("([0-9]{1,5})(h|ms|m|s)").matcher(duration);
        assertTrue(duration.matches("^([0-9]{1,5}(h|m|s|ms)){1,4}$"), "a Gateway API Duration: " + duration);
        long millis = 0;
        while (part.find()) {
            long n = Long.parseLong(part.group(1));
            millis += switch (part.group(2)) {
                case "h" -> n * 3_600_000;
                case "m" -> n * 60_000;
                case "s" -> n * 1000;
                default -> n;
            };
        }
        return millis / 1000;
    }

    private static ControllerSettings controllerSettings(List<HasMetadata> objects) {
        Map<String, String> env = new HashMap<>(config(objects));
        env.put("KCR_PLATFORM", "kubernetes");
        return ControllerSettings.fromEnvironment(env, "manifest-test");
    }

    private static Map<String, String> config(List<HasMetadata> objects) {
        ConfigMap config = byName(objects, ConfigMap.class).get("kubecoderun-config");
        assertNotNull(config, "the ConfigMap kubecoderun-config");
        return config.getData();
    }

    private static void assertProbe(Probe probe, String path, String who) {
        assertNotNull(probe, who + " has the probe for " + path);
        assertEquals(path, probe.getHttpGet().getPath(), who);
    }

    private static Set<String> envFrom(Container c) {
        Set<String> sources = new HashSet<>();
        for (EnvFromSource source : c.getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                sources.add("configmap:" + source.getConfigMapRef().getName());
            }
            if (source.getSecretRef() != null) {
                assertTrue(
                        source.getSecretRef().getOptional() == null
                                || !source.getSecretRef().getOptional(),
                        "without the Secret nothing could authenticate: it is required");
                sources.add("secret:" + source.getSecretRef().getName());
            }
        }
        return sources;
    }

    /** matchLabels and matchExpressions (In, NotIn, Exists, DoesNotExist) as the API server evaluates them. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        Map<String, String> have = labels == null ? Map.of() : labels;
        if (selector.getMatchLabels() != null) {
            for (var e : selector.getMatchLabels().entrySet()) {
                if (!e.getValue().equals(have.get(e.getKey()))) {
                    return false;
                }
            }
        }
        if (selector.getMatchExpressions() != null) {
            for (var ex : selector.getMatchExpressions()) {
                String value = have.get(ex.getKey());
                boolean ok =
                        switch (ex.getOperator()) {
                            case "In" -> value != null && ex.getValues().contains(value);
                            case "NotIn" -> value == null || !ex.getValues().contains(value);
                            case "Exists" -> value != null;
                            case "DoesNotExist" -> value == null;
                            default -> throw new AssertionError("operator " + ex.getOperator());
                        };
                if (!ok) {
                    return false;
                }
            }
        }
        return true;
    }

    private static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    private static <T extends HasMetadata> Map<String, T> byName(List<HasMetadata> objects, Class<T> type) {
        return all(objects, type).stream()
                .collect(Collectors.toMap(o -> o.getMetadata().getName(), o -> o));
    }

    private static Map<String, JsonNode> byKey(List<JsonNode> docs) {
        Map<String, JsonNode> map = new TreeMap<>();
        docs.forEach(d -> map.put(Manifests.key(d), d));
        return map;
    }
}
