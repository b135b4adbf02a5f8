package io.kubecoderun.standalone.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The latencies of one series (milliseconds), its failures and, for a timed series, how long it ran. */
final class Series {
    private final List<Double> samples = new ArrayList<>();
    private int errors;
    private String firstError;
    private double seconds = Double.NaN;

    synchronized void add(double ms) {
        samples.add(ms);
    }

    synchronized void fail(Exception e) {
        errors++;
        if (firstError == null) {
            firstError = e.getMessage();
        }
    }

    synchronized void seconds(double elapsed) {
        this.seconds = elapsed;
    }

    synchronized int count() {
        return samples.size();
    }

    synchronized int errors() {
        return errors;
    }

    synchronized String firstError() {
        return firstError;
    }

    /** Completed executions per second of a timed series; NaN for a counted one. */
    synchronized double perSecond() {
        return samples.size() / seconds;
    }

    /** Nearest-rank percentile; NaN without samples. */
    synchronized double pct(double p) {
        return percentile(samples, p);
    }

    static double percentile(List<Double> values, double p) {
        if (values.isEmpty()) {
            return Double.NaN;
        }
        double[] sorted =
                values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    synchronized Map<String, Object> json() {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("n", samples.size());
        json.put("errors", errors);
        json.put("p50_ms", round(pct(50)));
        json.put("p90_ms", round(pct(90)));
        json.put("p99_ms", round(pct(99)));
        if (!Double.isNaN(seconds)) {
            json.put("seconds", round(seconds));
            json.put("per_second", round(perSecond()));
        }
        if (firstError != null) {
            json.put("first_error", firstError);
        }
        json.put("samples_ms", samples.stream().map(Series::round).toList());
        return json;
    }

    static Double round(double v) {
        return Double.isNaN(v) || Double.isInfinite(v) ? null : Math.round(v * 10) / 10.0;
    }
}
