package io.kubecoderun.standalone.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What one warm Python pod costs with {@code RUNNER_PYTHON_PRELOAD} and without (README: {@code ./kcr bench
 * standalone preload}): the packaged standalone app started with 1 and with {@code --pods} warm Python pods for each
 * setting; for each start, the machine CPU from launch until the pool is full ({@code /proc/stat}, the background of
 * a quiet window before subtracted) and, once it has settled, the memory of every process under the app (RSS from
 * {@code /proc/<pid>/status}, PSS from {@code smaps_rollup}: shared pages counted once). One pod's cost is the
 * difference between the two starts divided by the pods added, so whatever the app itself costs, and however the
 * platform makes its pods (a runner process each, or one host serving many), cancels out. Then the chart program on
 * a warm pod of each, and what pool sizes a 2-core laptop with 8 or 16 GiB sustains.
 */
final class PreloadBench {
    private static final String KEY = "bench-key-" + UUID.randomUUID();
    private static final double GIB = 1024.0 * 1024 * 1024;

    /** One start: CPU to fill the pool, the processes' memory, the chart latency on its warm pods. */
    record Start(
            int pods,
            double cpuMs,
            double podsCpuMs,
            double fillSeconds,
            long rss,
            long pss,
            long appRss,
            Map<String, long[]> kinds,
            Series chart) {}

    private PreloadBench() {}

    public static void main(String[] args) throws Exception {
        int pods = 4;
        String preload = "numpy,pandas,matplotlib.pyplot";
        int chartRuns = 3;
        for (String arg : args) {
            String[] kv = arg.replaceFirst("^--", "").split("=", 2);
            switch (kv[0]) {
                case "pods" -> pods = Integer.parseInt(kv[1]);
                case "preload" -> preload = kv[1];
                case "chart-runs" -> chartRuns = Integer.parseInt(kv[1]);
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (pods < 2) {
            throw new IllegalArgumentException("--pods must be at least 2 (one pod's cost is a difference)");
        }
        String loadStart = MachineCpu.loadAverage();
        System.out.printf(
                Locale.ROOT,
                "preload benchmark %s: load average %s; warm Python pods 1 and %d, RUNNER_PYTHON_PRELOAD unset and %s%n",
                Instant.now(),
                loadStart,
                pods,
                preload);
        Workload chart = Workload.all().stream()
                .filter(w -> w.id().equals("chart"))
                .findFirst()
                .orElseThrow();
        Map<String, Map<String, String>> variants = new LinkedHashMap<>();
        variants.put("without preload", Map.of());
        variants.put("RUNNER_PYTHON_PRELOAD=" + preload, Map.of("RUNNER_PYTHON_PRELOAD", preload));
        Path data = Files.createTempDirectory("kcr-bench-preload");
        Map<String, Start[]> results = new LinkedHashMap<>();
        try {
            // Not measured: the first start after a build trains the runners' class-data-sharing archive (a second of
            // CPU under the app), which would count against whichever start came first.
            start(data.resolve("warm-up"), 1, Map.of(), chart, 0);
            for (Map.Entry<String, Map<String, String>> variant : variants.entrySet()) {
                Start one = start(data.resolve(results.size() + "-1"), 1, variant.getValue(), chart, chartRuns);
                Start many = start(data.resolve(results.size() + "-n"), pods, variant.getValue(), chart, chartRuns);
                results.put(variant.getKey(), new Start[] {one, many});
            }
        } finally {
            StandaloneBench.deleteTree(data);
        }

        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-46s %5s %9s %9s %9s %10s %10s %10s%n",
                "",
                "pods",
                "CPU ms",
                "under app",
                "fill s",
                "RSS MiB",
                "PSS MiB",
                "app RSS");
        for (Map.Entry<String, Start[]> r : results.entrySet()) {
            for (Start s : r.getValue()) {
                System.out.printf(
                        Locale.ROOT,
                        "%-46s %5d %9.0f %9.0f %9.1f %10.1f %10.1f %10.1f%n",
                        r.getKey(),
                        s.pods(),
                        s.cpuMs(),
                        s.podsCpuMs(),
                        s.fillSeconds(),
                        s.rss() / 1048576.0,
                        s.pss() / 1048576.0,
                        s.appRss() / 1048576.0);
            }
        }
        System.out.println();
        System.out.printf(
                Locale.ROOT, "the processes under the app with %d pods, by kind (count, RSS MiB, PSS MiB):%n", pods);
        for (Map.Entry<String, Start[]> r : results.entrySet()) {
            System.out.println("  " + r.getKey() + ":");
            r.getValue()[1]
                    .kinds()
                    .forEach((kind, v) -> System.out.printf(
                            Locale.ROOT,
                            "    %-60s %3d %8.1f %8.1f%n",
                            kind,
                            v[0],
                            v[1] / 1048576.0,
                            v[2] / 1048576.0));
        }
        System.out.println();
        System.out.println(
                "one warm Python pod (the difference between the two starts, per pod added; start CPU: of the"
                        + " processes under the app, machine-wide in brackets, where the app's own start-up varies by more):");
        Map<String, double[]> perPod = new LinkedHashMap<>();
        for (Map.Entry<String, Start[]> r : results.entrySet()) {
            Start one = r.getValue()[0];
            Start many = r.getValue()[1];
            double cpu = (many.podsCpuMs() - one.podsCpuMs()) / (pods - 1);
            double machine = (many.cpuMs() - one.cpuMs()) / (pods - 1);
            double rss = (many.rss() - one.rss()) / (double) (pods - 1);
            double pss = (many.pss() - one.pss()) / (double) (pods - 1);
            perPod.put(r.getKey(), new double[] {cpu, rss, pss});
            System.out.printf(
                    Locale.ROOT,
                    "  %-46s start CPU %6.0f ms (machine-wide %6.0f ms), RSS %6.1f MiB, PSS %6.1f MiB;"
                            + " chart program on a warm pod p50 %.0f ms%n",
                    r.getKey(),
                    cpu,
                    machine,
                    rss / 1048576.0,
                    pss / 1048576.0,
                    many.chart().pct(50));
        }
        System.out.println();
        System.out.println("a 2-core laptop (half its memory for the pool, the app's own memory taken from that half;"
                + " refill: the pool's start CPU on 2 cores):");
        long appRss = results.values().iterator().next()[0].appRss();
        for (Map.Entry<String, double[]> p : perPod.entrySet()) {
            for (int gib : List.of(8, 16)) {
                double budget = gib * GIB / 2 - appRss;
                int size = (int) Math.floor(budget / p.getValue()[2]);
                System.out.printf(
                        Locale.ROOT,
                        "  %-46s %2d GiB: pool size up to %3d by memory (PSS); refilling %d pods takes %.1f s of both"
                                + " cores; 2 cores start at most %.1f pods/s%n",
                        p.getKey(),
                        gib,
                        size,
                        size,
                        size * p.getValue()[0] / 2000.0,
                        2000.0 / p.getValue()[0]);
            }
        }
        System.out.printf(
                Locale.ROOT, "load average at start %s, at the end %s%n", loadStart, MachineCpu.loadAverage());
    }

    private static Start start(Path dir, int pods, Map<String, String> env, Workload chart, int chartRuns)
            throws Exception {
        Files.createDirectories(dir);
        Thread.sleep(1000);
        long q0 = MachineCpu.busyTicks();
        long qt = System.nanoTime();
        Thread.sleep(3000);
        double background = MachineCpu.millis(MachineCpu.busyTicks() - q0) / ((System.nanoTime() - qt) / 1e9);
        System.err.printf(Locale.ROOT, "starting the app with %d warm Python pod(s), %s%n", pods, env);
        long b0 = MachineCpu.busyTicks();
        long t0 = System.nanoTime();
        try (BenchApp app = BenchApp.start(dir, KEY, Map.of("py", pods), env)) {
            BenchClient client = new BenchClient(app.base, KEY);
            client.waitFull(Map.of("py", pods), 300);
            double seconds = (System.nanoTime() - t0) / 1e9;
            double cpu = MachineCpu.millis(MachineCpu.busyTicks() - b0) - background * seconds;
            // the processes under the app (its pods, whatever their shape): free of the app JVM's own start-up
            double podsCpu = MachineCpu.millis(MachineCpu.treeTicks(app.process.toHandle())[1]);
            Thread.sleep(3000); // settled: the runners' start-up threads done
            long rss = 0;
            long pss = 0;
            Map<String, long[]> kinds = new TreeMap<>();
            for (ProcessHandle p : app.process.descendants().toList()) {
                long[] m = memory(p.pid());
                if (m == null) {
                    continue;
                }
                rss += m[0];
                pss += m[1];
                long[] kind = kinds.computeIfAbsent(kind(p.pid()), k -> new long[3]);
                kind[0]++;
                kind[1] += m[0];
                kind[2] += m[1];
            }
            long[] own = memory(app.pid());
            Series chartMs = new Series();
            for (int i = 0; i < chartRuns; i++) {
                client.waitFull(Map.of("py", pods), 120);
                Thread.sleep(300);
                long c0 = System.nanoTime();
                client.exec(chart);
                chartMs.add((System.nanoTime() - c0) / 1e6);
            }
            return new Start(pods, cpu, podsCpu, seconds, rss, pss, own == null ? 0 : own[0], kinds, chartMs);
        }
    }

    /** {RSS, PSS} in bytes of a process, or null when it is gone. */
    static long[] memory(long pid) {
        try {
            long rss = kib(Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")), "VmRSS:");
            long pss = kib(Files.readAllLines(Path.of("/proc", Long.toString(pid), "smaps_rollup")), "Pss:");
            return new long[] {rss * 1024, pss * 1024};
        } catch (IOException gone) {
            return null;
        }
    }

    /** A {@code Name:   123 kB} line's value; 0 when absent (a kernel thread, a zombie). */
    static long kib(List<String> lines, String name) {
        for (String line : lines) {
            if (line.startsWith(name)) {
                String[] f = line.substring(name.length()).trim().split("\\s+");
                return Long.parseLong(f[0]);
            }
        }
        return 0;
    }

    /** What a process is, from its command line: a jar's name, the warm interpreter, or its program's name. */
    static String kind(long pid) {
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
            List<String> argv = new ArrayList<>();
            for (String part : new String(raw, StandardCharsets.UTF_8).split("\0")) {
                if (!part.isEmpty()) {
                    argv.add(part);
                }
            }
            return kind(argv);
        } catch (IOException gone) {
            return "(gone)";
        }
    }

    static String kind(List<String> argv) {
        if (argv.isEmpty()) {
            return "(no command line)";
        }
        String program = Path.of(argv.get(0)).getFileName().toString();
        for (String arg : argv) {
            if (arg.equals("--serve")) {
                return program + " ... --serve (warm interpreter)";
            }
        }
        for (String arg : argv) {
            if (arg.endsWith(".jar")) {
                return program + " -jar " + Path.of(arg).getFileName();
            }
        }
        return program;
    }
}
