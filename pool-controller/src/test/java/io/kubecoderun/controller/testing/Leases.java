package io.kubecoderun.controller.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.kubecoderun.registry.Lease;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.RunnerClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ThrowingRunnable;

/** What the exec function does with a lease, and the waiting the controller tests share. */
public final class Leases {
    private static final RunnerClient RUNNERS = new RunnerClient();
    private static final Duration AWAIT = Duration.ofMinutes(1);
    private static final Duration POLL = Duration.ofMillis(25);
    private static final Duration HOLD_SLACK = Duration.ofSeconds(1);

    private Leases() {}

    /** Claims the leased runner (checking it is the pod leased) and runs {@code code} there with the lease id. */
    public static ExecuteResponse runOnLease(Lease lease, String lang, String code) {
        RunnerClient.Target target = target(lease);
        assertEquals(lease.pod().uid(), RUNNERS.claim(target).podUid(), "the runner is the pod leased");
        return RUNNERS.execute(
                target, new ExecuteRequest(lang, code, List.of(), 0, null, false), Duration.ofMinutes(1), false);
    }

    /** The leased runner as the exec function addresses it. */
    public static RunnerClient.Target target(Lease lease) {
        return new RunnerClient.Target(
                lease.pod().ip(), lease.pod().port(), lease.id(), lease.pod().uid());
    }

    /** Waits up to a minute, polling every 25 ms, until {@code condition} holds; fails naming {@code what}. */
    public static void await(String what, BooleanSupplier condition) {
        Awaitility.await(what).atMost(AWAIT).pollInterval(POLL).until(condition::getAsBoolean);
    }

    /**
     * Fails unless {@code assertion} holds throughout {@code period} (polled every 25 ms, a second's slack to
     * begin): what must not change while the controller makes its passes.
     */
    public static void holdsFor(Duration period, ThrowingRunnable assertion) {
        Awaitility.await()
                .during(period)
                .atMost(period.plus(HOLD_SLACK))
                .pollInterval(POLL)
                .untilAsserted(assertion);
    }

    /** How the packaged runner starts (the build's jar and JVM options). */
    public static List<String> runnerCommand() {
        return List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@"
                        + Path.of(System.getProperty("runner.jvm.options", "../runner/jvm.options"))
                                .toAbsolutePath(),
                "-jar",
                Path.of(System.getProperty("runner.jar", "../runner/target/runner.jar"))
                        .toAbsolutePath()
                        .toString());
    }
}
