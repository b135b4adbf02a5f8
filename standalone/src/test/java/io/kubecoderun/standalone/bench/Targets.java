package io.kubecoderun.standalone.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Issue 12's targets for the embedded default, each against the Python hello world figures of one run: the figure
 * measured, the target and whether it is met. A figure not measured (a scenario left out) is "not measured", never
 * met.
 */
final class Targets {
    /** The Python hello world figures the targets are about (milliseconds; NaN when not measured). */
    record Measured(
            double cpuApp,
            double cpuBare,
            int sustainedClients,
            double sustainedSeconds,
            double sustainedRate,
            double sustainedP50,
            double backToBackP50,
            double backToBackBareP50,
            double backToBackP99,
            double backToBackBareP99,
            double pacedRate,
            double pacedP50,
            double pacedBareP50,
            double warmP99,
            double coldP50,
            double coldP99) {}

    record Target(String what, String now, String target, String measured, Boolean met) {
        String verdict() {
            return met == null ? "not measured" : met ? "met" : "not met";
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("what", what);
            json.put("before", now);
            json.put("target", target);
            json.put("measured", measured);
            json.put("verdict", verdict());
            return json;
        }
    }

    private Targets() {}

    static List<Target> evaluate(Measured m) {
        List<Target> out = new ArrayList<>();
        double cpuRatio = m.cpuApp / m.cpuBare;
        out.add(new Target(
                "machine CPU per execution, refill included",
                "319 ms (bare: 14 ms), 23x",
                "<= 3x bare",
                f("%.1f ms (bare: %.1f ms), %.1fx", m.cpuApp, m.cpuBare, cpuRatio),
                // a figure at or below 0: the background moved during the series, nothing measured
                known(cpuRatio) && m.cpuApp > 0 && m.cpuBare > 0 ? cpuRatio <= 3 : null));
        out.add(new Target(
                f("sustained throughput, %d concurrent clients, %.0f s", m.sustainedClients, m.sustainedSeconds),
                "5.5 executions/s, p50 1.5 s",
                ">= 25 executions/s, p50 <= 300 ms",
                f("%.1f executions/s, p50 %.1f ms", m.sustainedRate, m.sustainedP50),
                known(m.sustainedRate, m.sustainedP50) ? m.sustainedRate >= 25 && m.sustainedP50 <= 300 : null));
        double b2b50 = m.backToBackP50 / m.backToBackBareP50;
        double b2b99 = m.backToBackP99 / m.backToBackBareP99;
        out.add(new Target(
                "back-to-back at concurrency 1 (no pause between requests)",
                "p50 88.7 ms vs 26.9 ms bare (3.3x), p99 3.3x",
                "p50 <= 1.5x, p99 <= 3x bare",
                f(
                        "p50 %.1f ms vs %.1f ms bare (%.2fx), p99 %.1f vs %.1f ms (%.2fx)",
                        m.backToBackP50, m.backToBackBareP50, b2b50, m.backToBackP99, m.backToBackBareP99, b2b99),
                known(b2b50, b2b99) ? b2b50 <= 1.5 && b2b99 <= 3 : null));
        double paced = m.pacedP50 / m.pacedBareP50;
        out.add(new Target(
                f("paced at %s/s", trim(m.pacedRate)),
                "1.03-1.29x",
                "stays <= 1.3x",
                f("p50 %.1f ms vs %.1f ms bare, %.2fx", m.pacedP50, m.pacedBareP50, paced),
                known(paced) ? paced <= 1.3 : null));
        out.add(new Target(
                "cold path (pool size 0, the Job path) p50",
                "3.0 s",
                "<= 1 s",
                f("%.0f ms", m.coldP50),
                known(m.coldP50) ? m.coldP50 <= 1000 : null));
        double below = 1 - m.warmP99 / m.coldP99;
        out.add(new Target(
                "warm p99 below cold p99",
                "83 %",
                ">= 90 % below",
                f("%.1f %% (warm p99 %.1f ms, cold p99 %.0f ms)", 100 * below, m.warmP99, m.coldP99),
                known(below) ? below >= 0.90 : null));
        return out.stream()
                .map(t -> t.met() == null ? new Target(t.what(), t.now(), t.target(), "-", null) : t)
                .toList();
    }

    static String table(List<Target> targets) {
        StringBuilder s = new StringBuilder();
        s.append("| what | before (issue 12) | target | measured | verdict |\n|---|---|---|---|---|\n");
        for (Target t : targets) {
            s.append("| ")
                    .append(t.what())
                    .append(" | ")
                    .append(t.now())
                    .append(" | ")
                    .append(t.target())
                    .append(" | ")
                    .append(t.measured())
                    .append(" | ")
                    .append(t.met() != null && t.met() ? "**met**" : t.verdict())
                    .append(" |\n");
        }
        return s.toString();
    }

    private static boolean known(double... values) {
        for (double v : values) {
            if (Double.isNaN(v) || Double.isInfinite(v)) {
                return false;
            }
        }
        return true;
    }

    private static String trim(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static String f(String format, Object... args) {
        return String.format(Locale.ROOT, format, args);
    }
}
