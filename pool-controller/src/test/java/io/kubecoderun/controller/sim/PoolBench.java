package io.kubecoderun.controller.sim;

import java.util.Locale;

/**
 * The pool benchmark (README: {@code ./kcr bench pool}): the planner under Poisson load in the simulator, at
 * several rates, next to Erlang B computed for the same pool and load; then the same load with a lagging watch,
 * with and without counting creations in flight.
 */
public final class PoolBench {
    private PoolBench() {}

    public static void main(String[] args) {
        int pool = args.length > 0 ? Integer.parseInt(args[0]) : 5;
        double refill = args.length > 1 ? Double.parseDouble(args[1]) : 2.0;
        long arrivals = args.length > 2 ? Long.parseLong(args[2]) : 200_000;
        System.out.printf(
                Locale.ROOT,
                "pool simulation: S=%d pods, refill %.1f s (exponential), %d arrivals per row%n",
                pool,
                refill,
                arrivals);
        System.out.printf(
                Locale.ROOT,
                "%10s %8s %12s %12s %10s %14s%n",
                "rate/s",
                "load",
                "miss (sim)",
                "Erlang B",
                "hit rate",
                "pods/execution");
        for (double rate : new double[] {0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 5.0}) {
            PoolSimulator.Result r =
                    PoolSimulator.run(new PoolSimulator.Config(pool, rate, refill, true, 0, true, arrivals, 5_000, 42));
            System.out.printf(
                    Locale.ROOT,
                    "%10.2f %8.2f %11.2f%% %11.2f%% %9.2f%% %14.3f%n",
                    rate,
                    rate * refill,
                    100 * r.missRate(),
                    100 * PoolSimulator.erlangB(pool, rate * refill),
                    100 * (1 - r.missRate()),
                    r.podsPerExecution());
        }
        System.out.printf(Locale.ROOT, "%nlagging watch at 1.0 arrival/s (pods/execution, largest pool seen):%n");
        for (double lag : new double[] {0.1, 0.5, 1.0, 2.0}) {
            PoolSimulator.Result counted = PoolSimulator.run(
                    new PoolSimulator.Config(pool, 1.0, refill, true, lag, true, arrivals / 4, 2_000, 42));
            PoolSimulator.Result naive = PoolSimulator.run(
                    new PoolSimulator.Config(pool, 1.0, refill, true, lag, false, arrivals / 4, 2_000, 42));
            System.out.printf(
                    Locale.ROOT,
                    "  lag %.1f s: in flight counted %.3f (max %d pods), not counted %.3f (max %d pods)%n",
                    lag,
                    counted.podsPerExecution(),
                    counted.maxPods(),
                    naive.podsPerExecution(),
                    naive.maxPods());
        }
    }
}
