package io.kubecoderun.registry.bench;

import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.registry.RedisLeaseRegistry;
import io.kubecoderun.registry.testing.RedisServer;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * The lease registry benchmark (README: {@code ./kcr bench registry}): the cost of a lease hit (acquire of an idle
 * pod) and of a release, against a local redis-server, next to a bare Redis PING round trip measured in the same
 * run, and the in-memory registry for scale.
 */
public final class RegistryBench {
    private RegistryBench() {}

    public static void main(String[] args) throws Exception {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 5000;
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 1000;
        try (RedisServer server = RedisServer.start()) {
            Vertx vertx = Vertx.vertx();
            Redis redis = Redis.createClient(vertx, new RedisOptions().setConnectionString(server.uri()));
            try {
                double[] ping = new double[iterations];
                for (int i = 0; i < warmup + iterations; i++) {
                    long t0 = System.nanoTime();
                    redis.send(Request.cmd(Command.PING))
                            .toCompletionStage()
                            .toCompletableFuture()
                            .get();
                    if (i >= warmup) {
                        ping[i - warmup] = (System.nanoTime() - t0) / 1e6;
                    }
                }
                Result viaRedis = measure(new RedisLeaseRegistry(redis, "bench:"), iterations, warmup);
                Result inMemory = measure(new InMemoryLeaseRegistry(), iterations, warmup);
                Arrays.sort(ping);
                System.out.printf(
                        Locale.ROOT,
                        "registry benchmark: %d iterations after %d warm-up, local redis-server%n",
                        iterations,
                        warmup);
                System.out.printf(Locale.ROOT, "%-32s %8s %8s %8s   (ms)%n", "", "p50", "p95", "p99");
                row("redis PING round trip (baseline)", ping);
                row("lease hit, redis", viaRedis.acquire);
                row("release, redis", viaRedis.release);
                row("lease hit, in-memory", inMemory.acquire);
                row("release, in-memory", inMemory.release);
                System.out.printf(
                        Locale.ROOT,
                        "lease hit / PING at p50: %.2f; lease hit p99 %.3f ms (target <= 2 ms)%n",
                        pct(viaRedis.acquire, 50) / pct(ping, 50),
                        pct(viaRedis.acquire, 99));
            } finally {
                redis.close();
                vertx.close().toCompletionStage().toCompletableFuture().get();
            }
        }
    }

    private record Result(double[] acquire, double[] release) {}

    private static Result measure(LeaseRegistry registry, int iterations, int warmup) {
        long epoch = registry.takeLeadership();
        double[] acquire = new double[iterations];
        double[] release = new double[iterations];
        for (int i = 0; i < warmup + iterations; i++) {
            registry.offer(new PodRef("py", "pod-" + i, "uid-" + i, "127.0.0.2", 8080), epoch);
            long t0 = System.nanoTime();
            Acquisition got = registry.acquire("py", Duration.ofMinutes(1), Duration.ZERO);
            long t1 = System.nanoTime();
            if (!got.acquired()) {
                throw new IllegalStateException("expected a hit at iteration " + i);
            }
            registry.release(got.lease());
            long t2 = System.nanoTime();
            registry.drainDone("py", 10);
            if (i >= warmup) {
                acquire[i - warmup] = (t1 - t0) / 1e6;
                release[i - warmup] = (t2 - t1) / 1e6;
            }
        }
        Arrays.sort(acquire);
        Arrays.sort(release);
        return new Result(acquire, release);
    }

    private static void row(String name, double[] sorted) {
        System.out.printf(
                Locale.ROOT, "%-32s %8.3f %8.3f %8.3f%n", name, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99));
    }

    static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
