package io.kubecoderun.runner.bench;

import io.kubecoderun.runner.exec.BubblewrapSandbox;
import io.kubecoderun.runner.exec.Limits;
import io.kubecoderun.runner.testing.RunnerHttp;
import io.kubecoderun.runner.testing.RunnerProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The runner benchmark (README: {@code ./kcr bench runner}). Measures, in one run on this machine:
 * {@code POST /execute} latency for Python hello world against a bare {@code /usr/bin/python3 -c 'print(1)'} in
 * the same bubblewrap sandbox (interleaved, so both see the same machine), the runner's start-to-ready time and
 * its idle RSS. Prints percentiles and the p50 ratio; exits non-zero only if something failed, never on a target.
 */
public final class RunnerBench {
    private static final int STARTS = 5;
    private static final long SETTLE_MS = 1_000;
    /**
     * Quiet time before each measured run, for both sides: in production every sandbox serves one request and
     * prepares its launcher before it is offered, so a measurement must not overlap the previous one's cleanup.
     */
    private static final long PAUSE_MS = 30;

    private RunnerBench() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 200;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 30;
        List<String> launch = RunnerProcess.launchCommand();
        Path base = Files.createTempDirectory("kcr-bench");
        // RUNNER_* variables of the bench's own environment reach the runner (e.g. RUNNER_CGROUP_PARENT=off).
        Map<String, String> env = new java.util.HashMap<>(Map.of("RUNNER_SANDBOX", "bubblewrap"));
        System.getenv().forEach((k, v) -> {
            if (k.startsWith("RUNNER_")) {
                env.put(k, v);
            }
        });

        double[] starts = new double[STARTS];
        long freshRss = 0;
        for (int i = 0; i < STARTS; i++) {
            try (RunnerProcess runner = RunnerProcess.start(base.resolve("start-" + i), env, launch)) {
                starts[i] = runner.startupMillis();
                if (i == 0) {
                    Thread.sleep(SETTLE_MS);
                    freshRss = runner.rssBytes();
                }
            }
        }

        Path work = Files.createDirectories(base.resolve("bare-work"));
        Path build = Files.createDirectories(base.resolve("bare-build"));
        Path support = Files.createDirectories(base.resolve("bare-support"));
        BubblewrapSandbox sandbox = new BubblewrapSandbox(
                BubblewrapSandbox.locate().orElseThrow(() -> new IllegalStateException("bubblewrap is not installed")),
                work,
                support);
        Limits limits = new Limits(512L << 20, 256, 60, 100L << 20, 1024, 0, 0, 256L << 20);
        List<String> bare =
                sandbox.wrap(List.of("/usr/bin/python3", "-c", "print(1)"), build, sandbox.workdirView(), limits);

        double[] runnerMs = new double[iterations];
        double[] bareMs = new double[iterations];
        long afterRss;
        String cgroup;
        try (RunnerProcess runner = RunnerProcess.start(base.resolve("latency"), env, launch)) {
            RunnerHttp client = runner.client();
            Map<String, Object> hello = Map.of("lang", "py", "code", "print(1)");
            for (int i = 0; i < warmup + iterations; i++) {
                Thread.sleep(PAUSE_MS);
                long t0 = System.nanoTime();
                RunnerHttp.Reply reply = client.execute(hello);
                long t1 = System.nanoTime();
                if (reply.status() != 200 || !"1\n".equals(reply.json().get("stdout"))) {
                    throw new IllegalStateException("runner answered " + reply.status() + ": " + reply.raw());
                }
                Thread.sleep(PAUSE_MS);
                long t2 = System.nanoTime();
                runBare(bare, build);
                long t3 = System.nanoTime();
                if (i >= warmup) {
                    runnerMs[i - warmup] = (t1 - t0) / 1e6;
                    bareMs[i - warmup] = (t3 - t2) / 1e6;
                }
            }
            Thread.sleep(SETTLE_MS);
            afterRss = runner.rssBytes();
            cgroup = runner.log()
                    .lines()
                    .filter(l -> l.contains("event=cgroup") || l.contains("event=no_cgroup"))
                    .findFirst()
                    .map(l -> l.substring(l.indexOf("event=")))
                    .orElse("unknown");
        }

        Arrays.sort(runnerMs);
        Arrays.sort(bareMs);
        Arrays.sort(starts);
        System.out.printf(
                Locale.ROOT,
                "runner benchmark: %d iterations after %d warm-up, sandbox=bubblewrap, %s%n",
                iterations,
                warmup,
                cgroup);
        System.out.printf(Locale.ROOT, "%-34s %8s %8s %8s   (ms)%n", "", "p50", "p95", "p99");
        row("runner POST /execute (py print)", runnerMs);
        row("bare sandboxed python3 -c", bareMs);
        double ratio = pct(runnerMs, 50) / pct(bareMs, 50);
        System.out.printf(
                Locale.ROOT,
                "ratio at p50: %.2f (target <= 1.30); p95 ratio %.2f%n",
                ratio,
                pct(runnerMs, 95) / pct(bareMs, 95));
        System.out.printf(
                Locale.ROOT,
                "start to ready: p50 %.0f ms, max %.0f ms over %d starts (target <= 500)%n",
                pct(starts, 50),
                starts[starts.length - 1],
                STARTS);
        System.out.printf(
                Locale.ROOT,
                "idle RSS: fresh %.1f MiB, after %d executions %.1f MiB (target <= 64)%n",
                freshRss / 1048576.0,
                warmup + iterations,
                afterRss / 1048576.0);
    }

    private static void runBare(List<String> argv, Path cwd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(argv)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        byte[] out = p.getInputStream().readAllBytes();
        if (p.waitFor() != 0 || !new String(out).equals("1\n")) {
            throw new IllegalStateException(
                    "bare sandbox failed: " + new String(p.getErrorStream().readAllBytes()));
        }
    }

    private static void row(String name, double[] sorted) {
        System.out.printf(
                Locale.ROOT, "%-34s %8.2f %8.2f %8.2f%n", name, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99));
    }

    /** Nearest-rank percentile of a sorted array. */
    static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
