package io.kubecoderun.controller.testing;

import io.kubecoderun.registry.Lease;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.RunnerClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the exec function does with a lease, and the waiting the controller tests share. */
public final class Leases {
    private static final RunnerClient RUNNERS = new RunnerClient();
    private static final long AWAIT_MS = 60_000;

    private Leases() {
    }

    /** Claims the leased runner (checking it is the pod leased) and runs {@code code} there with the lease id. */
    public static ExecuteResponse runOnLease(Lease lease, String lang, String code) {
        RunnerClient.Target target = target(lease);
        assertEquals(lease.pod().uid(), RUNNERS.claim(target).podUid(), "the runner is the pod leased");
        return RUNNERS.execute(target, new ExecuteRequest(lang, code, List.of(), 0, null, false),
                Duration.ofMinutes(1), false);
    }

    /** The leased runner as the exec function addresses it. */
    public static RunnerClient.Target target(Lease lease) {
        return new RunnerClient.Target(lease.pod().ip(), lease.pod().port(), lease.id(), lease.pod().uid());
    }

    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.currentTimeMillis() + AWAIT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(25);
        }
    }

    /** How the packaged runner starts (the build's jar and JVM options). */
    public static List<String> runnerCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(System.getProperty("runner.jvm.options", "../runner/jvm.options")).toAbsolutePath(),
                "-jar", Path.of(System.getProperty("runner.jar", "../runner/target/runner.jar")).toAbsolutePath().toString());
    }
}
