package io.kubecoderun.controller.bench;

import io.kubecoderun.controller.local.LocalPlatform;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.controller.sim.PoolSimulator;
import io.kubecoderun.controller.testing.Leases;
import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.RedisLeaseRegistry;
import io.kubecoderun.registry.testing.RedisServer;
import io.kubecoderun.runner.wire.RunnerClient;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live pool benchmark (README: {@code ./kcr bench pool-live}): the controller on the local platform with real
 * sandboxed runners and real Redis, under Poisson load at several rates. Each hit claims its runner, runs a
 * Python print and releases it (single use), as the exec function will. Reports hit rate, acquire latency, pods
 * created per execution, the measured refill time and the Erlang-B miss rate it predicts; then kills every warm
 * runner at once and times the pool's return to target.
 */
public final class LocalPoolBench {
    private LocalPoolBench() {}

    public static void main(String[] args) throws Exception {
        int pool = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        double seconds = args.length > 1 ? Double.parseDouble(args[1]) : 20;
        double[] rates = {0.5, 1.0, 2.0};
        Path base = Files.createTempDirectory("kcr-pool-bench");
        List<String> runner = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@"
                        + Path.of(System.getProperty("runner.jvm.options", "runner/jvm.options"))
                                .toAbsolutePath(),
                "-jar",
                Path.of(System.getProperty("runner.jar", "runner/target/runner.jar"))
                        .toAbsolutePath()
                        .toString());
        try (RedisServer server = RedisServer.start()) {
            Vertx vertx = Vertx.vertx();
            Redis redis = Redis.createClient(
                    vertx, new RedisOptions().setConnectionString(server.uri()).setMaxPoolSize(32));
            RedisLeaseRegistry registry = new RedisLeaseRegistry(redis, "bench:");
            LocalPlatform platform =
                    new LocalPlatform(base, runner, Map.of("RUNNER_SANDBOX", "bubblewrap"), Clock.systemUTC());
            PoolMetrics metrics = new PoolMetrics();
            ReconcilerSettings settings = ReconcilerSettings.defaults("bench").withInterval(Duration.ofMillis(250));
            PoolController controller = new PoolController(new PoolReconciler(
                    platform,
                    registry,
                    new RunnerClient(),
                    List.of(new PoolSpec("py", pool, 10, Duration.ofMinutes(1), null)),
                    settings,
                    Clock.systemUTC(),
                    metrics));
            controller.start(settings);
            ExecutorService workers = Executors.newCachedThreadPool();
            try {
                waitFor(() -> registry.stats("py").idle() == pool, 60_000);
                System.out.printf(
                        Locale.ROOT,
                        "live pool: local platform, bubblewrap runners, real Redis; S=%d py pods, %.0f s per rate%n",
                        pool,
                        seconds);
                System.out.printf(
                        Locale.ROOT,
                        "%8s %9s %8s %14s %14s %12s %14s%n",
                        "rate/s",
                        "arrivals",
                        "hit",
                        "acquire p50",
                        "acquire p99",
                        "pods/exec",
                        "Erlang B miss");
                Random random = new Random(1);
                for (double rate : rates) {
                    long createdBefore = metrics.podsCreated.get();
                    AtomicLong hits = new AtomicLong();
                    List<Double> acquireMs = new ArrayList<>();
                    int arrivals = 0;
                    long end = System.nanoTime() + (long) (seconds * 1e9);
                    while (System.nanoTime() < end) {
                        Thread.sleep((long) (-Math.log(1 - random.nextDouble()) / rate * 1000));
                        arrivals++;
                        long t0 = System.nanoTime();
                        Acquisition got = registry.acquire("py", Duration.ofMinutes(1), Duration.ZERO);
                        acquireMs.add((System.nanoTime() - t0) / 1e6);
                        if (got.acquired()) {
                            hits.incrementAndGet();
                            workers.execute(() -> {
                                try {
                                    Leases.runOnLease(got.lease(), "py", "print(1)");
                                } catch (Exception e) {
                                    System.err.println("execution failed: " + e);
                                } finally {
                                    registry.release(got.lease());
                                }
                            });
                        }
                    }
                    waitFor(() -> registry.stats("py").idle() == pool, 60_000);
                    double[] sorted = acquireMs.stream()
                            .mapToDouble(Double::doubleValue)
                            .sorted()
                            .toArray();
                    long[] refill = metrics.refillMillis();
                    double meanRefill = Arrays.stream(refill).average().orElse(0) / 1000.0;
                    System.out.printf(
                            Locale.ROOT,
                            "%8.2f %9d %7.1f%% %11.3f ms %11.3f ms %12.3f %13.1f%%%n",
                            rate,
                            arrivals,
                            100.0 * hits.get() / arrivals,
                            pct(sorted, 50),
                            pct(sorted, 99),
                            (double) (metrics.podsCreated.get() - createdBefore) / Math.max(1, hits.get()),
                            100 * PoolSimulator.erlangB(pool, rate * meanRefill));
                }
                long[] refill = metrics.refillMillis().clone();
                Arrays.sort(refill);
                System.out.printf(
                        Locale.ROOT,
                        "refill time (create to offer): p50 %d ms, p99 %d ms over %d pods%n",
                        refill[refill.length / 2],
                        refill[(int) Math.min(refill.length - 1, Math.ceil(refill.length * 0.99) - 1)],
                        refill.length);
                long killStart = System.nanoTime();
                for (var pod : platform.pods("py")) {
                    platform.process(pod.name()).ifPresent(ProcessHandle::destroyForcibly);
                }
                long createdBefore = metrics.podsCreated.get();
                waitFor(
                        () -> metrics.podsCreated.get() - createdBefore >= pool
                                && registry.stats("py").idle() == pool,
                        60_000);
                System.out.printf(
                        Locale.ROOT,
                        "mass kill of %d warm runners: back to target in %.0f ms (target: one refill time + 1 s = %.0f ms); %d created%n",
                        pool,
                        (System.nanoTime() - killStart) / 1e6,
                        refill[refill.length / 2] + 1000.0,
                        metrics.podsCreated.get() - createdBefore);
            } finally {
                workers.shutdownNow();
                controller.close();
                platform.close();
                registry.close();
                redis.close();
                vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static void waitFor(java.util.function.BooleanSupplier condition, long millis) throws InterruptedException {
        long until = System.currentTimeMillis() + millis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new IllegalStateException("condition not reached within " + millis + " ms");
            }
            Thread.sleep(10);
        }
    }

    private static double pct(double[] sorted, double p) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
