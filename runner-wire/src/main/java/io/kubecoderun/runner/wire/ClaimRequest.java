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
        return of(Fields.requiredString(json, "lease_id"), Fields.optionalString(json, "pod_uid"));
    }

    /** A claim from its parts (the body of {@code /claim}, or the headers of a claiming {@code /execute}). */
    public static ClaimRequest of(String leaseId, String podUid) {
        if (leaseId == null || leaseId.isBlank() || leaseId.length() > 128) {
            throw new WireException(RunnerError.INVALID_FIELD, "'lease_id' must be 1 to 128 characters");
        }
        return new ClaimRequest(leaseId, podUid);
    }

    public Map<String, Object> toJson() {
        return podUid == null ? Map.of("lease_id", leaseId) : Map.of("lease_id", leaseId, "pod_uid", podUid);
    }
}
