package io.kubecoderun.controller.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulator earns trust before its numbers are used: with an instant watch it must reproduce the Erlang-B
 * loss of an M/G/S/S system within one percentage point, for constant and exponential refill times.
 */
class PoolSimulatorTest {

    @ParameterizedTest(name = "S={0}, λ={1}/s, refill={2}s, exponential={3}")
    @CsvSource({
        "5, 1.0, 2.0, false",
        "5, 2.5, 2.0, true",
        "2, 1.0, 1.0, false",
        "10, 4.0, 2.0, true",
        "1, 0.5, 1.0, false",
        "20, 8.0, 2.0, false"
    })
    void reproducesErlangB(int pool, double rate, double refill, boolean exponential) {
        PoolSimulator.Result result = PoolSimulator.run(
                new PoolSimulator.Config(pool, rate, refill, exponential, 0.0, true, 200_000, 5_000, 42));
        double expected = PoolSimulator.erlangB(pool, rate * refill);
        assertEquals(expected, result.missRate(), 0.01, "simulated " + result.missRate() + " vs Erlang B " + expected);
        assertEquals(1.0, result.podsPerExecution(), 0.01, "one replacement per lease");
    }

    @ParameterizedTest(name = "watch lag {0}s: in-flight creations keep the pool at its size")
    @CsvSource({"0.2", "0.5", "1.0"})
    void countingCreationsInFlightPreventsOverCreationUnderALaggingWatch(double lag) {
        PoolSimulator.Config counted = new PoolSimulator.Config(5, 2.0, 2.0, false, lag, true, 50_000, 2_000, 7);
        PoolSimulator.Result ok = PoolSimulator.run(counted);
        assertTrue(ok.podsPerExecution() <= 1.05, "pods per execution " + ok.podsPerExecution());
        assertTrue(ok.maxPods() <= 5 + 5, "pool grew to " + ok.maxPods());
        PoolSimulator.Result naive =
                PoolSimulator.run(new PoolSimulator.Config(5, 2.0, 2.0, false, lag, false, 50_000, 2_000, 7));
        assertTrue(
                naive.podsPerExecution() > ok.podsPerExecution() + 0.05,
                "without in-flight counting the lag should multiply creations: " + naive.podsPerExecution());
    }

    @org.junit.jupiter.api.Test
    void erlangBMatchesKnownValues() {
        assertEquals(0.1101, PoolSimulator.erlangB(5, 3.0), 0.0001);
        assertEquals(0.5, PoolSimulator.erlangB(1, 1.0), 1e-12);
        assertEquals(0.2, PoolSimulator.erlangB(2, 1.0), 1e-12);
    }
}
