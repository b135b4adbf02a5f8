package io.kubecoderun.registry;

import java.time.Duration;

/** The functions' side of the registry: lease a warm sandbox (or one a Job starts), extend it, give it back. */
public interface SandboxLeases {

    /**
     * Function: leases an idle pod of {@code language} at once, else waits up to {@code maxWait} (zero: not at
     * all) for one to be offered. The lease runs {@code leaseTtl} from when it is granted.
     */
    Acquisition acquire(String language, Duration leaseTtl, Duration maxWait);

    /**
     * Function: like {@link #acquire}, but when nothing is idle also asks the controller for a Job (a
     * {@link JobRequest} named after this wait) and waits for its pod.
     */
    Acquisition acquireViaJob(String language, Duration leaseTtl, Duration maxWait);

    /** Moves the lease's deadline to {@code ttl} from now; false when the lease is not held or has expired. */
    boolean extend(Lease lease, Duration ttl);

    /** Ends the lease and queues its pod for deletion; false (and no effect) when the lease is not held. */
    boolean release(Lease lease);
}
