package io.kubecoderun.tests.deploy;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Pod Security Standards' {@code restricted} profile (version {@code latest}, baseline included), as the
 * pod-security admission evaluates a pod spec: what {@code pod-security.kubernetes.io/enforce: restricted} on the
 * namespace refuses. Each check names the control of https://kubernetes.io/docs/concepts/security/pod-security-standards/.
 */
final class PodSecurityRestricted {
    /** Volume types restricted allows. */
    private static final Set<String> VOLUMES = Set.of(
            "configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret");
    /** Sysctls baseline allows. */
    private static final Set<String> SAFE_SYSCTLS = Set.of(
            "kernel.shm_rmid_forced",
            "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start",
            "net.ipv4.tcp_syncookies",
            "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports",
            "net.ipv4.tcp_keepalive_time",
            "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl",
            "net.ipv4.tcp_keepalive_probes");

    /**
     * Knative Serving's queue-proxy sidecar, which it adds to every revision pod next to the user container: its
     * security context as Knative Serving v1.12 and later set it unconditionally ({@code queueSecurityContext} in
     * {@code pkg/reconciler/revision/resources/queue.go}; v1.12 added the seccomp profile, knative/serving#14363).
     */
    static final Container QUEUE_PROXY = new io.fabric8.kubernetes.api.model.ContainerBuilder()
            .withName("queue-proxy")
            .withSecurityContext(new SecurityContextBuilder()
                    .withAllowPrivilegeEscalation(false)
                    .withReadOnlyRootFilesystem(true)
                    .withRunAsNonRoot(true)
                    .withNewCapabilities()
                    .withDrop("ALL")
                    .endCapabilities()
                    .withNewSeccompProfile()
                    .withType("RuntimeDefault")
                    .endSeccompProfile()
                    .build())
            .build();

    private PodSecurityRestricted() {}

    /** Every violation of restricted in {@code spec}; empty when the admission would let the pod in. */
    static List<String> violations(PodSpec spec) {
        List<String> problems = new ArrayList<>();
        PodSecurityContext pod =
                spec.getSecurityContext() == null ? new PodSecurityContext() : spec.getSecurityContext();
        List<Container> containers = new ArrayList<>(spec.getContainers());
        if (spec.getInitContainers() != null) {
            containers.addAll(spec.getInitContainers());
        }
        if (spec.getEphemeralContainers() != null) {
            spec.getEphemeralContainers()
                    .forEach(e -> containers.add(new io.fabric8.kubernetes.api.model.ContainerBuilder()
                            .withName(e.getName())
                            .withSecurityContext(e.getSecurityContext())
                            .withPorts(e.getPorts())
                            .build()));
        }

        // Baseline: host namespaces, privileged containers, host ports, host paths, /proc, sysctls, SELinux.
        if (Boolean.TRUE.equals(spec.getHostNetwork())
                || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            problems.add("host namespaces");
        }
        if (pod.getSysctls() != null) {
            pod.getSysctls().stream()
                    .filter(s -> !SAFE_SYSCTLS.contains(s.getName()))
                    .forEach(s -> problems.add("sysctl " + s.getName()));
        }
        if (pod.getSeLinuxOptions() != null
                && (pod.getSeLinuxOptions().getUser() != null
                        || pod.getSeLinuxOptions().getRole() != null)) {
            problems.add("pod SELinux user or role");
        }
        if (pod.getWindowsOptions() != null
                && Boolean.TRUE.equals(pod.getWindowsOptions().getHostProcess())) {
            problems.add("hostProcess");
        }
        if (pod.getAppArmorProfile() != null
                && "Unconfined".equals(pod.getAppArmorProfile().getType())) {
            problems.add("pod AppArmor Unconfined");
        }
        // Restricted: volume types.
        if (spec.getVolumes() != null) {
            for (Volume v : spec.getVolumes()) {
                String type = volumeType(v);
                if (!VOLUMES.contains(type)) {
                    problems.add("volume " + v.getName() + " of type " + type);
                }
            }
        }
        // Restricted: non-root; RuntimeDefault or Localhost seccomp, at the pod or in every container.
        boolean podNonRoot = Boolean.TRUE.equals(pod.getRunAsNonRoot());
        boolean podSeccomp = confined(pod.getSeccompProfile());
        if (pod.getRunAsUser() != null && pod.getRunAsUser() == 0) {
            problems.add("pod runAsUser 0");
        }
        if (pod.getSeccompProfile() != null
                && "Unconfined".equals(pod.getSeccompProfile().getType())) {
            problems.add("pod seccomp Unconfined");
        }

        for (Container c : containers) {
            String who = "container " + c.getName() + ": ";
            SecurityContext sc = c.getSecurityContext() == null ? new SecurityContext() : c.getSecurityContext();
            if (Boolean.TRUE.equals(sc.getPrivileged())) {
                problems.add(who + "privileged");
            }
            if (c.getPorts() != null) {
                for (ContainerPort port : c.getPorts()) {
                    if (port.getHostPort() != null && port.getHostPort() != 0) {
                        problems.add(who + "hostPort " + port.getHostPort());
                    }
                }
            }
            if (sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
                problems.add(who + "procMount " + sc.getProcMount());
            }
            if (sc.getSeLinuxOptions() != null
                    && (sc.getSeLinuxOptions().getUser() != null
                            || sc.getSeLinuxOptions().getRole() != null)) {
                problems.add(who + "SELinux user or role");
            }
            if (sc.getWindowsOptions() != null
                    && Boolean.TRUE.equals(sc.getWindowsOptions().getHostProcess())) {
                problems.add(who + "hostProcess");
            }
            if (sc.getAppArmorProfile() != null
                    && "Unconfined".equals(sc.getAppArmorProfile().getType())) {
                problems.add(who + "AppArmor Unconfined");
            }
            if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                problems.add(who + "allowPrivilegeEscalation is not false");
            }
            if (Boolean.FALSE.equals(sc.getRunAsNonRoot())
                    || !(podNonRoot || Boolean.TRUE.equals(sc.getRunAsNonRoot()))) {
                problems.add(who + "runAsNonRoot is not true (pod or container)");
            }
            if (sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
                problems.add(who + "runAsUser 0");
            }
            if (sc.getSeccompProfile() != null) {
                if (!confined(sc.getSeccompProfile())) {
                    problems.add(who + "seccomp " + sc.getSeccompProfile().getType());
                }
            } else if (!podSeccomp) {
                problems.add(who + "no RuntimeDefault or Localhost seccomp profile (pod or container)");
            }
            Capabilities caps = sc.getCapabilities();
            if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                problems.add(who + "capabilities do not drop ALL");
            }
            if (caps != null && caps.getAdd() != null) {
                caps.getAdd().stream()
                        .filter(a -> !a.equals("NET_BIND_SERVICE"))
                        .forEach(a -> problems.add(who + "adds capability " + a));
            }
        }
        return problems;
    }

    private static boolean confined(SeccompProfile profile) {
        return profile != null && Set.of("RuntimeDefault", "Localhost").contains(profile.getType());
    }

    private static String volumeType(Volume v) {
        var json = Manifests.JSON.valueToTree(v);
        List<String> types = new ArrayList<>();
        json.fieldNames().forEachRemaining(name -> {
            if (!name.equals("name")) {
                types.add(name);
            }
        });
        return types.size() == 1 ? types.get(0) : types.toString();
    }
}
