package io.kubecoderun.exec.service;

import java.time.Duration;

/**
 * Limits and timings of an execution (names of the original configuration in brackets).
 *
 * @param maxCodeBytes     largest {@code code} accepted (413 beyond)
 * @param defaultTimeout   when the request names none
 * @param maxTimeout       [MAX_EXECUTION_TIME]
 * @param maxOutputFiles   files collected per execution [MAX_OUTPUT_FILES]; more are reported in stderr
 * @param maxFileBytes     largest input or output file [MAX_FILE_SIZE_MB]
 * @param maxStateBytes    largest Python state kept
 * @param sessionTtl       a session and its files live this long after last use [SESSION_TTL_HOURS]
 * @param stateTtl         Python state's hot lifetime [STATE_TTL_SECONDS]
 * @param acquireWait      how long to wait for a warm sandbox before going cold
 * @param coldWait         how long a cold start (a Job) may take
 * @param jobOnExhaustion  an exhausted pool's request goes through a Job [POD_POOL_EXHAUSTION_TRIGGER]
 * @param claimAttempts    sandboxes tried when a leased runner cannot be reached
 * @param warmTarget       warm pods configured per language id [POD_POOL_*]: where it is 0 no warm sandbox
 *                         will come, so a request goes to a Job at once instead of waiting {@code acquireWait}
 */
public record ExecSettings(
        long maxCodeBytes,
        Duration defaultTimeout,
        Duration maxTimeout,
        int maxOutputFiles,
        long maxFileBytes,
        long maxStateBytes,
        Duration sessionTtl,
        Duration stateTtl,
        Duration acquireWait,
        Duration coldWait,
        boolean jobOnExhaustion,
        int claimAttempts,
        java.util.function.ToIntFunction<String> warmTarget) {

    /** The API's defaults. */
    public static ExecSettings defaults() {
        return new ExecSettings(
                512 * 1024,
                Duration.ofSeconds(30),
                Duration.ofSeconds(300),
                50,
                25L << 20,
                50L << 20,
                Duration.ofHours(24),
                Duration.ofHours(2),
                Duration.ofSeconds(2),
                Duration.ofSeconds(60),
                true,
                3,
                language -> 1);
    }
}
