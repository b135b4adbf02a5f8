package io.kubecoderun.runner.wire;

/** The runner's HTTP header names, for the runner and every caller of it alike. */
public final class RunnerHeaders {
    /** The lease a claimed sandbox serves: every request that touches code or files carries it. */
    public static final String LEASE_ID = "X-Lease-Id";
    /** On {@code POST /execute}: claim for the request's lease first, if this runner is the pod with this uid. */
    public static final String CLAIM_POD_UID = "X-Claim-Pod-Uid";

    private RunnerHeaders() {}
}
