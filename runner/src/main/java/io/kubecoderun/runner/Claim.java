package io.kubecoderun.runner;

import io.kubecoderun.runner.wire.ClaimRequest;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.RunnerHeaders;
import io.kubecoderun.runner.wire.RunnerStatus;

/**
 * The sandbox's single-use claim. The first {@code POST /claim} wins and repeats of the same lease id are
 * idempotent; any other lease gets 409. Once claimed, every request that touches code or files must carry the
 * lease id ({@code X-Lease-Id}), and the lease gets exactly one execution: a registry glitch can never hand one
 * sandbox to two requests. An unclaimed runner (a developer's, a test's) serves requests without a lease.
 *
 * <p>{@code POST /execute} can make the claim itself ({@link RunnerHeaders#CLAIM_POD_UID} with the pod uid the caller leased,
 * next to the lease id): the same first-wins claim, without a round trip of its own. Either way, a claim that names
 * the leased pod's uid is refused by any other pod, before it claims anything.
 */
public final class Claim {
    private String leaseId;
    private boolean used;

    public synchronized void claim(String lease) {
        if (leaseId != null && !leaseId.equals(lease)) {
            throw new RunnerException.Conflict(RunnerError.ALREADY_CLAIMED, "this sandbox is claimed by another lease");
        }
        leaseId = lease;
    }

    /**
     * Claims for {@code request}'s lease; when the request names the pod it leased, refused (409) by a runner that
     * knows its own {@code podUid} and is another pod (a recycled address), before anything is claimed.
     */
    public synchronized void claim(ClaimRequest request, String podUid) {
        if (request.podUid() != null && !podUid.isEmpty() && !podUid.equals(request.podUid())) {
            throw new RunnerException.Conflict(
                    RunnerError.POD_MISMATCH, "this runner is not the pod " + request.podUid());
        }
        claim(request.leaseId());
    }

    /** Rejects a request whose lease header does not match the claim. */
    public synchronized void authorize(String presentedLease) {
        if (leaseId != null && !leaseId.equals(presentedLease)) {
            throw new RunnerException.Conflict(
                    RunnerError.LEASE_MISMATCH,
                    "this sandbox is claimed; send the claiming lease id in " + RunnerHeaders.LEASE_ID);
        }
    }

    /** Called as an execution starts; a claimed sandbox runs one execution only. */
    public synchronized void beginExecution(String presentedLease) {
        authorize(presentedLease);
        if (leaseId != null && used) {
            throw new RunnerException.Conflict(RunnerError.ALREADY_USED, "this sandbox has already run its execution");
        }
        used = true;
    }

    public synchronized RunnerStatus status(String podUid, String podName, String language, boolean ready) {
        return new RunnerStatus(leaseId != null, leaseId, podUid, podName, language, used, ready);
    }
}
