package io.kubecoderun.runner.wire;

import java.util.Map;

/**
 * {@code POST /claim} body: the lease id the registry handed out and, optionally, the uid of the pod it leased
 * (the runner refuses the claim when it is another pod: an address recycled since the offer).
 */
public record ClaimRequest(String leaseId, String podUid) {

    public ClaimRequest(String leaseId) {
        this(leaseId, null);
    }

    public static ClaimRequest fromJson(Map<String, Object> json) {
        String leaseId = Fields.requiredString(json, "lease_id");
        if (leaseId.isBlank() || leaseId.length() > 128) {
            throw new WireException("invalid_field", "'lease_id' must be 1 to 128 characters");
        }
        return new ClaimRequest(leaseId, Fields.optionalString(json, "pod_uid"));
    }

    public Map<String, Object> toJson() {
        return podUid == null ? Map.of("lease_id", leaseId) : Map.of("lease_id", leaseId, "pod_uid", podUid);
    }
}
