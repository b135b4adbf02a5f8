package io.kubecoderun.runner.wire;

import java.util.Map;

/** {@code POST /claim} body: the lease id the registry handed out. */
public record ClaimRequest(String leaseId) {

    public static ClaimRequest fromJson(Map<String, Object> json) {
        String leaseId = Fields.requiredString(json, "lease_id");
        if (leaseId.isBlank() || leaseId.length() > 128) {
            throw new WireException("invalid_field", "'lease_id' must be 1 to 128 characters");
        }
        return new ClaimRequest(leaseId);
    }

    public Map<String, Object> toJson() {
        return Map.of("lease_id", leaseId);
    }
}
