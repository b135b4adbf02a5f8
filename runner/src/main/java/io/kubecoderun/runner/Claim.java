package io.kubecoderun.runner;

import io.kubecoderun.runner.wire.RunnerStatus;

/**
 * The sandbox's single-use claim. The first {@code POST /claim} wins and repeats of the same lease id are
 * idempotent; any other lease gets 409. Once claimed, every request that touches code or files must carry the
 * lease id ({@code X-Lease-Id}), and the lease gets exactly one execution: a registry glitch can never hand one
 * sandbox to two requests. An unclaimed runner (a developer's, a test's) serves requests without a lease.
 *
 * <p>{@code POST /execute} can make the claim itself ({@link #CLAIM_HEADER} with the pod uid the caller leased,
 * next to the lease id): the same first-wins claim, without a round trip of its own. Either way, a claim that names
 * the leased pod's uid is refused by any other pod, before it claims anything.
 */
public final class Claim {
    public static final String LEASE_HEADER = "X-Lease-Id";
    /** On {@code POST /execute}: claim for the request's lease first, if this runner is the pod with this uid. */
    public static final String CLAIM_HEADER = "X-Claim-Pod-Uid";

    private String leaseId;
    private boolean used;

    public synchronized void claim(String lease) {
        if (leaseId != null && !leaseId.equals(lease)) {
            throw new RunnerException.Conflict("already_claimed", "this sandbox is claimed by another lease");
        }
        leaseId = lease;
    }

    /**
     * The claim a request makes for itself: refused (409) when this runner knows its pod uid and it is not the one
     * the caller leased (a recycled address), or when another lease holds the claim.
     */
    public synchronized void claimFor(String lease, String leasedPodUid, String podUid) {
        if (lease == null || lease.isBlank() || lease.length() > 128) {
            throw new RunnerException.BadRequest("invalid_lease",
                    CLAIM_HEADER + " needs a lease id of 1 to 128 characters in " + LEASE_HEADER);
        }
        if (!podUid.isEmpty() && !podUid.equals(leasedPodUid)) {
            throw new RunnerException.Conflict("pod_mismatch", "this runner is not the pod " + leasedPodUid);
        }
        claim(lease);
    }

    /** Rejects a request whose lease header does not match the claim. */
    public synchronized void authorize(String presentedLease) {
        if (leaseId != null && !leaseId.equals(presentedLease)) {
            throw new RunnerException.Conflict("lease_mismatch",
                    "this sandbox is claimed; send the claiming lease id in " + LEASE_HEADER);
        }
    }

    /** Called as an execution starts; a claimed sandbox runs one execution only. */
    public synchronized void beginExecution(String presentedLease) {
        authorize(presentedLease);
        if (leaseId != null && used) {
            throw new RunnerException.Conflict("already_used", "this sandbox has already run its execution");
        }
        used = true;
    }

    public synchronized RunnerStatus status(String podUid, String podName, String language, boolean ready) {
        return new RunnerStatus(leaseId != null, leaseId, podUid, podName, language, used, ready);
    }
}
