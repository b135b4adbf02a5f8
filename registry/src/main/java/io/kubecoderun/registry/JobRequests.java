package io.kubecoderun.registry;

import java.time.Duration;
import java.util.List;

/** Cold starts: the functions ask for a Job through {@link SandboxLeases#acquireViaJob}; the controller takes the requests. */
public interface JobRequests {

    /**
     * Controller: Job requests not yet handed to this consumer, oldest first; requests another consumer took but
     * did not acknowledge within {@code redeliverAfter} come again.
     */
    List<JobRequest> pendingJobRequests(String consumer, int max, Duration redeliverAfter);

    /** Controller: the request is dealt with (its Job exists or it expired). */
    void acknowledge(JobRequest request);

    /**
     * The registry's clock in epoch milliseconds, which stamps {@link JobRequest#deadlineMs()}: a request is
     * expired when its deadline is at or before this (a controller's own clock may differ).
     */
    long clockMillis();
}
