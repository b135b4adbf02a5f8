package io.kubecoderun.runner.wire;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /status} and the answer to a claim: whether the sandbox is claimed and by which lease, the pod uid
 * the runner was started with (so a caller can detect an IP reused by another pod), the image's language, and
 * whether an execution has already run here (a used sandbox must never be offered again).
 */
public record RunnerStatus(
        boolean claimed, String leaseId, String podUid, String podName, String language, boolean used, boolean ready) {

    public Map<String, Object> toJson() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("claimed", claimed);
        json.put("lease_id", leaseId);
        json.put("pod_uid", podUid);
        json.put("pod_name", podName);
        json.put("language", language);
        json.put("used", used);
        json.put("ready", ready);
        return json;
    }

    public static RunnerStatus fromJson(Map<String, Object> json) {
        return new RunnerStatus(
                Fields.optionalBoolean(json, "claimed", false),
                Fields.optionalString(json, "lease_id"),
                Fields.optionalString(json, "pod_uid"),
                Fields.optionalString(json, "pod_name"),
                Fields.optionalString(json, "language"),
                Fields.optionalBoolean(json, "used", false),
                Fields.optionalBoolean(json, "ready", false));
    }
}
