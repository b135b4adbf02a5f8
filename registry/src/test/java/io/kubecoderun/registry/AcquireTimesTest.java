package io.kubecoderun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AcquireTimesTest {

    @Test
    void bucketsAreQuarterOctavesAndEveryValueLiesInsideItsBucket() {
        assertEquals(0, AcquireTimes.bucket(0));
        assertEquals(0, AcquireTimes.bucket(1_000));
        for (long nanos = 1_001; nanos < 3_600_000_000_000L; nanos = nanos * 11 / 10 + 1) {
            int b = AcquireTimes.bucket(nanos);
            double lowUs = Math.pow(2, (b - 1) / 4.0);
            double highUs = Math.pow(2, b / 4.0);
            double us = nanos / 1000.0;
            assertTrue(
                    b == AcquireTimes.MAX_BUCKET || (us >= lowUs * 0.999999 && us <= highUs * 1.000001),
                    nanos + " ns in bucket " + b + " [" + lowUs + ", " + highUs + "] µs");
        }
        assertEquals(AcquireTimes.MAX_BUCKET, AcquireTimes.bucket(Long.MAX_VALUE));
    }

    @Test
    void percentilesOfALogNormalSampleAreWithinTwelvePercentOfTheExactOnes() {
        Random random = new Random(42);
        long[] samples = new long[20_000];
        Map<Integer, Long> buckets = new HashMap<>();
        for (int i = 0; i < samples.length; i++) {
            samples[i] = (long) (Math.exp(random.nextGaussian() * 1.2) * 2_000_000); // around 2 ms
            buckets.merge(AcquireTimes.bucket(samples[i]), 1L, Long::sum);
        }
        java.util.Arrays.sort(samples);
        AcquireTimes times = new AcquireTimes(buckets);
        for (double q : new double[] {0.5, 0.9, 0.99}) {
            double exact = samples[(int) Math.ceil(q * samples.length) - 1] / 1e6;
            double estimate = times.percentileMs(q);
            assertEquals(exact, estimate, exact * 0.12, "p" + (int) (q * 100));
        }
        assertEquals(samples.length, times.count());
    }
}
