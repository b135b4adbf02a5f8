package io.kubecoderun.standalone.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The end-to-end benchmark (README: {@code ./kcr bench standalone}): the packaged standalone app as a child process,
 * talked to over HTTP only, and four programs (Python hello world, a numpy + pandas + matplotlib chart, Node, C),
 * each against the same program as a bare process in the runner's bubblewrap sandbox measured in the same run:
 *
 * <ul>
 *   <li>paced at concurrency 1 ({@code --rate}, 2/s: what warm pools sustain), the bare process right before each
 *       execution, under the same conditions;
 *   <li>back-to-back at concurrency 1, no pause between requests;
 *   <li>sustained: 8 clients ({@code --clients}) for a fixed time ({@code --sustain} s for Python hello world,
 *       {@code --sustain-other} for the others), executions/s, p50, p99;
 *   <li>machine CPU per execution from {@code /proc/stat}: a quiet window first (the background rate), a paced series,
 *       then the wait until the pool has refilled (refill included), the background subtracted, divided by the count;
 *       the same for the bare process;
 *   <li>cold: a second app with every pool at 0 (the Job path), against the same bare process;
 *   <li>a 10 MB upload + download round trip.
 * </ul>
 *
 * Then the issue 12 targets table (met / not met), the results in {@code standalone/target/bench-standalone.json} and
 * the chart in {@code standalone/target/bench-standalone.svg} ({@code --write-docs}: also
 * {@code docs/bench-standalone.svg}). {@code ./kcr bench standalone preload} is {@link PreloadBench}. Exits non-zero
 * only if something failed, never on a target.
 */
public final class StandaloneBench {
    private static final String KEY = "bench-key-" + UUID.randomUUID();
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** One measured series of a workload against its baseline. */
    record Scenario(String kind, String title, Workload workload, Series app, Series bare, Map<String, Object> notes) {}

    /**
     * Machine CPU per execution of a workload, background subtracted (milliseconds), and where it went: the app's own
     * JVM, everything under it (its pods, whatever their shape), this bench's JVM (the client, the bare processes).
     */
    record Cpu(Workload workload, int n, Split app, Split bare, double backgroundPerSecond) {}

    /** One paced series' CPU per execution (milliseconds). */
    record Split(double machine, double appJvm, double underApp, double bench) {
        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("machine_ms", Series.round(machine));
            json.put("app_jvm_ms", Series.round(appJvm));
            json.put("under_app_ms", Series.round(underApp));
            json.put("bench_jvm_ms", Series.round(bench));
            return json;
        }
    }

    @FunctionalInterface
    interface Task {
        void run() throws Exception;
    }

    private StandaloneBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("preload")) {
            PreloadBench.main(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        Options o = Options.parse(args);
        String loadStart = MachineCpu.loadAverage();
        Instant started = Instant.now();
        List<Workload> workloads =
                Workload.all().stream().filter(w -> o.only.contains(w.id())).toList();
        Map<String, Integer> pools = new LinkedHashMap<>();
        for (Workload w : workloads) {
            pools.put(w.lang(), w.lang().equals("py") ? o.pool : o.poolOther);
        }
        System.out.printf(
                Locale.ROOT,
                "standalone benchmark %s: load average %s; warm pools %s, bubblewrap, embedded store, files on disk%n",
                started,
                loadStart,
                pools);
        Path data = Files.createTempDirectory("kcr-bench-standalone");
        Bare bare = new Bare(data);
        List<Scenario> scenarios = new ArrayList<>();
        List<Cpu> cpus = new ArrayList<>();
        Series files = null;
        boolean ok = false;
        try {
            try (BenchApp app = BenchApp.start(Files.createDirectories(data.resolve("warm")), KEY, pools, Map.of())) {
                BenchClient client = new BenchClient(app.base, KEY);
                progress("starting the app and filling its pools " + pools);
                client.waitFull(pools, 300);
                for (Workload w : workloads) {
                    for (int i = 0; i < 3; i++) {
                        client.exec(w);
                        bare.run(w);
                    }
                }
                for (Workload w : o.phase("paced") ? workloads : List.<Workload>of()) {
                    scenarios.add(paced(o, client, bare, w, pools));
                }
                for (Workload w : o.phase("b2b") ? workloads : List.<Workload>of()) {
                    scenarios.add(backToBack(o, client, bare, w, pools));
                }
                for (Workload w : o.phase("sustained") ? workloads : List.<Workload>of()) {
                    scenarios.add(sustained(o, client, bare, w, pools));
                }
                for (Workload w : o.phase("cpu") ? workloads : List.<Workload>of()) {
                    cpus.add(cpu(o, app, client, bare, w, pools));
                }
                if (o.phase("files")) {
                    client.waitFull(pools, 120);
                    progress("10 MB upload + download");
                    files = fileRoundTrips(app.base);
                }
            }
            if (o.phase("cold") && o.coldIterations > 0) {
                try (BenchApp cold =
                        BenchApp.start(Files.createDirectories(data.resolve("cold")), KEY, Map.of(), Map.of())) {
                    BenchClient client = new BenchClient(cold.base, KEY);
                    progress("starting the app with every pool at 0 (the Job path)");
                    client.waitFull(Map.of(), 120);
                    client.exec(workloads.get(0)); // the app's own first request (class loading, JIT), not measured
                    for (Workload w : workloads) {
                        scenarios.add(cold(o, client, bare, w));
                    }
                }
            }
            ok = true;
        } finally {
            if (ok) {
                deleteTree(data);
            } else {
                System.err.println("bench failed; the apps' logs are under " + data);
            }
        }
        String loadEnd = MachineCpu.loadAverage();
        report(o, started, loadStart, loadEnd, pools, scenarios, cpus, files);
    }

    // ---- scenarios

    /** Concurrency 1 at a fixed rate; in each iteration the bare process first, then the execution. */
    private static Scenario paced(Options o, BenchClient client, Bare bare, Workload w, Map<String, Integer> pools)
            throws Exception {
        int n = o.count(w, o.iterations);
        progress(String.format(Locale.ROOT, "paced %s/s: %s x %d", o.rateLabel(), w.label(), n));
        client.waitFull(pools, 120);
        Map<String, Long> before = client.counters(w.lang());
        Series app = new Series();
        Series base = new Series();
        int full = 0;
        long period = (long) (1000 / o.rate);
        for (int i = 0; i < n; i++) {
            // Both under the same conditions: whatever is left of the last replacement's start. The bare process
            // first, so that this execution's own replacement (started as it ends) cannot slow the baseline.
            full += client.full(pools) ? 1 : 0;
            Thread.sleep(20); // the metrics request's own work done
            long t0 = System.nanoTime();
            time(base, () -> bare.run(w));
            time(app, () -> client.exec(w));
            Thread.sleep(Math.max(0, period - (System.nanoTime() - t0) / 1_000_000));
        }
        Map<String, Object> notes = delta(before, client.counters(w.lang()));
        notes.put("pools_full_before", full + " of " + n);
        return new Scenario("paced", "paced " + o.rateLabel() + "/s", w, app, base, notes);
    }

    /** Concurrency 1 with no pause: the service's series, then the bare one (each from a full pool). */
    private static Scenario backToBack(Options o, BenchClient client, Bare bare, Workload w, Map<String, Integer> pools)
            throws Exception {
        int n = o.count(w, w.id().equals("py") ? o.backToBack : o.backToBack / 2);
        progress("back-to-back: " + w.label() + " x " + n);
        client.waitFull(pools, 120);
        Map<String, Long> before = client.counters(w.lang());
        Series app = new Series();
        for (int i = 0; i < n; i++) {
            time(app, () -> client.exec(w));
        }
        Map<String, Object> notes = delta(before, client.counters(w.lang()));
        client.waitFull(pools, 120);
        Series base = new Series();
        for (int i = 0; i < n; i++) {
            time(base, () -> bare.run(w));
        }
        return new Scenario("back-to-back", "back-to-back", w, app, base, notes);
    }

    /** {@code clients} concurrent clients for a fixed time, each sending its next request when its last is answered. */
    private static Scenario sustained(Options o, BenchClient client, Bare bare, Workload w, Map<String, Integer> pools)
            throws Exception {
        double seconds = w.id().equals("py") ? o.sustain : o.sustainOther;
        double bareSeconds = Math.min(seconds, o.bareSustain);
        progress(String.format(
                Locale.ROOT,
                "sustained, %d clients: %s for %.0f s (bare %.0f s)",
                o.clients,
                w.label(),
                seconds,
                bareSeconds));
        client.waitFull(pools, 120);
        Map<String, Long> before = client.counters(w.lang());
        Series app = concurrently(o.clients, seconds, () -> client.exec(w));
        Map<String, Object> notes = delta(before, client.counters(w.lang()));
        client.waitFull(pools, 180);
        Series base = concurrently(o.clients, bareSeconds, () -> bare.run(w));
        notes.put("executions_per_second", Series.round(app.perSecond()));
        notes.put("bare_per_second", Series.round(base.perSecond()));
        notes.put("seconds", seconds);
        return new Scenario(
                "sustained", String.format(Locale.ROOT, "%d clients, %.0f s", o.clients, seconds), w, app, base, notes);
    }

    /** Machine CPU per execution, refill included, background subtracted; the same for the bare process. */
    private static Cpu cpu(
            Options o, BenchApp benchApp, BenchClient client, Bare bare, Workload w, Map<String, Integer> pools)
            throws Exception {
        int n = o.count(w, o.cpuIterations);
        long period = (long) (1000 / o.rate);
        double window = n * period / 1000.0;
        progress(String.format(
                Locale.ROOT, "CPU per execution: %s x %d (quiet window %.0f s first)", w.label(), n, window));
        client.waitFull(pools, 120);
        Thread.sleep(500);
        double background = quiet(window);
        // Something else busy meanwhile (the last phase's pods still going, another program): the background would
        // not hold for the series. Wait for a quiet window, a few times at most; the figure says what it was.
        for (int tries = 1; background > o.quietLimit && tries < 4; tries++) {
            progress(String.format(
                    Locale.ROOT, "the machine is busy (%.0f ms/s in the quiet window): once more", background));
            background = quiet(window);
        }
        ProcessHandle app = benchApp.process.toHandle();
        Split service = paced(n, period, background, app, () -> client.exec(w), () -> {
            client.waitFull(pools, 120);
            Thread.sleep(500); // what the app does after it reports the pool full: the same quiet as the bare's
        });
        Split base = paced(n, period, background, app, () -> bare.run(w), () -> Thread.sleep(500));
        return new Cpu(w, n, service, base, background);
    }

    /** The machine's busy milliseconds per second over a window of doing nothing. */
    private static double quiet(double seconds) throws Exception {
        long q0 = MachineCpu.busyTicks();
        long qt = System.nanoTime();
        Thread.sleep((long) (seconds * 1000));
        return MachineCpu.millis(MachineCpu.busyTicks() - q0) / ((System.nanoTime() - qt) / 1e9);
    }

    private static Split paced(
            int n, long periodMs, double backgroundPerSecond, ProcessHandle app, Task task, Task settle)
            throws Exception {
        long[] tree0 = MachineCpu.treeTicks(app);
        long[] self0 = MachineCpu.processTicks(ProcessHandle.current().pid());
        long b0 = MachineCpu.busyTicks();
        long t0 = System.nanoTime();
        for (int i = 0; i < n; i++) {
            long s = System.nanoTime();
            task.run();
            Thread.sleep(Math.max(0, periodMs - (System.nanoTime() - s) / 1_000_000));
        }
        settle.run();
        double busy = MachineCpu.millis(MachineCpu.busyTicks() - b0);
        double seconds = (System.nanoTime() - t0) / 1e9;
        long[] tree1 = MachineCpu.treeTicks(app);
        long[] self1 = MachineCpu.processTicks(ProcessHandle.current().pid());
        return new Split(
                (busy - backgroundPerSecond * seconds) / n,
                MachineCpu.millis(tree1[0] - tree0[0]) / n,
                MachineCpu.millis(tree1[1] - tree0[1]) / n,
                MachineCpu.millis(self1[0] + self1[1] - self0[0] - self0[1]) / n);
    }

    /** The cold path: every pool at 0, so each execution goes through a Job; the bare process in the same loop. */
    private static Scenario cold(Options o, BenchClient client, Bare bare, Workload w) throws Exception {
        int n = o.coldIterations;
        progress("cold (Job path): " + w.label() + " x " + n);
        Map<String, Long> before = client.counters(w.lang());
        Series app = new Series();
        Series base = new Series();
        for (int i = 0; i < n; i++) {
            time(base, () -> bare.run(w));
            Thread.sleep(200);
            time(app, () -> client.exec(w));
            Thread.sleep(1000); // the Job's runner gone before the next
        }
        return new Scenario("cold", "cold (pool 0, Job)", w, app, base, delta(before, client.counters(w.lang())));
    }

    private static void time(Series series, Task task) {
        long t0 = System.nanoTime();
        try {
            task.run();
            series.add((System.nanoTime() - t0) / 1e6);
        } catch (Exception e) {
            series.fail(e);
        }
    }

    private static Series concurrently(int clients, double seconds, Task task) throws Exception {
        Series series = new Series();
        ExecutorService threads = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        List<Future<?>> futures = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            futures.add(threads.submit(() -> {
                while (System.nanoTime() < end) {
                    int errors = series.errors();
                    time(series, task);
                    if (series.errors() > errors) {
                        Thread.sleep(50); // a refusal answers at once: no busy loop
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : futures) {
            f.get();
        }
        series.seconds((System.nanoTime() - start) / 1e9);
        threads.shutdown();
        return series;
    }

    private static Map<String, Object> delta(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Object> notes = new LinkedHashMap<>();
        after.forEach((name, value) -> notes.put("pool_" + name, value - before.get(name)));
        return notes;
    }

    private static Series fileRoundTrips(String base) throws Exception {
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[] tenMb = new byte[10 << 20];
        new Random(1).nextBytes(tenMb);
        Series series = new Series();
        for (int i = 0; i < 10; i++) {
            long t0 = System.nanoTime();
            String boundary = "b" + UUID.randomUUID();
            byte[] head = ("--" + boundary
                            + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"ten.bin\"\r\n"
                            + "Content-Type: application/octet-stream\r\n\r\n")
                    .getBytes();
            byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes();
            HttpResponse<String> up = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/upload"))
                            .header("x-api-key", KEY)
                            .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                            .POST(HttpRequest.BodyPublishers.ofByteArrays(List.of(head, tenMb, tail)))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            Matcher m = Pattern.compile("\"session_id\":\"([^\"]+)\".*\"fileId\":\"([^\"]+)\"")
                    .matcher(up.body());
            if (up.statusCode() != 200 || !m.find()) {
                throw new IllegalStateException("upload failed: " + up.body());
            }
            HttpResponse<byte[]> down = http.send(
                    HttpRequest.newBuilder(URI.create(base + "/download/" + m.group(1) + "/" + m.group(2)))
                            .header("x-api-key", KEY)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (!Arrays.equals(tenMb, down.body())) {
                throw new IllegalStateException("download differs");
            }
            series.add((System.nanoTime() - t0) / 1e6);
        }
        return series;
    }

    // ---- the report

    private static void report(
            Options o,
            Instant started,
            String loadStart,
            String loadEnd,
            Map<String, Integer> pools,
            List<Scenario> scenarios,
            List<Cpu> cpus,
            Series files)
            throws IOException {
        System.out.println();
        System.out.printf(
                Locale.ROOT,
                "%-20s %-28s %4s %3s | %8s %8s %8s | %8s %8s %8s | %6s %6s | %s%n",
                "scenario",
                "program",
                "n",
                "err",
                "p50",
                "p90",
                "p99",
                "bare p50",
                "p90",
                "p99",
                "x p50",
                "x p99",
                "notes (ms; x = against bare)");
        for (Scenario s : scenarios) {
            System.out.printf(
                    Locale.ROOT,
                    "%-20s %-28s %4d %3d | %8.1f %8.1f %8.1f | %8.1f %8.1f %8.1f | %6.2f %6.2f | %s%n",
                    s.title(),
                    s.workload().label(),
                    s.app().count(),
                    s.app().errors(),
                    s.app().pct(50),
                    s.app().pct(90),
                    s.app().pct(99),
                    s.bare().pct(50),
                    s.bare().pct(90),
                    s.bare().pct(99),
                    s.app().pct(50) / s.bare().pct(50),
                    s.app().pct(99) / s.bare().pct(99),
                    notes(s));
        }
        System.out.println();
        System.out.println("machine CPU per execution, refill included (/proc/stat, background subtracted), and of it"
                + " the app's JVM / the processes under it / this bench's JVM with its children (ms):");
        for (Cpu c : cpus) {
            System.out.printf(
                    Locale.ROOT,
                    "  %-28s %7.1f (%6.1f / %6.1f / %5.1f), bare %6.1f (%4.1f / %4.1f / %6.1f), %5.1fx;"
                            + " %d each, background %.0f ms/s%n",
                    c.workload().label(),
                    c.app().machine(),
                    c.app().appJvm(),
                    c.app().underApp(),
                    c.app().bench(),
                    c.bare().machine(),
                    c.bare().appJvm(),
                    c.bare().underApp(),
                    c.bare().bench(),
                    c.app().machine() / c.bare().machine(),
                    c.n(),
                    c.backgroundPerSecond());
        }
        if (files != null) {
            System.out.printf(
                    Locale.ROOT,
                    "10 MB upload + download round trip: p50 %.0f ms, p90 %.0f ms (target <= 250 at p50)%n",
                    files.pct(50),
                    files.pct(90));
        }
        List<Targets.Target> targets = Targets.evaluate(measured(o, scenarios, cpus));
        System.out.println();
        System.out.println("issue 12's targets (Python hello world):");
        System.out.print(Targets.table(targets));
        System.out.printf(Locale.ROOT, "load average at start %s, at the end %s%n", loadStart, loadEnd);

        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", started.toString());
        json.put("load_average_start", loadStart);
        json.put("load_average_end", loadEnd);
        json.put("options", o.json());
        json.put("pools", pools);
        List<Map<String, Object>> list = new ArrayList<>();
        for (Scenario s : scenarios) {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("scenario", s.kind());
            one.put("title", s.title());
            one.put("program", s.workload().id());
            one.put("lang", s.workload().lang());
            one.put("bare_steps", Bare.describe(s.workload()));
            one.put("app", s.app().json());
            one.put("bare", s.bare().json());
            one.putAll(s.notes());
            list.add(one);
        }
        json.put("scenarios", list);
        List<Map<String, Object>> cpuJson = new ArrayList<>();
        for (Cpu c : cpus) {
            cpuJson.add(Map.of(
                    "program", c.workload().id(),
                    "n", c.n(),
                    "app", c.app().json(),
                    "bare", c.bare().json(),
                    "background_ms_per_s", Series.round(c.backgroundPerSecond())));
        }
        json.put("cpu_per_execution", cpuJson);
        if (files != null) {
            json.put("ten_mb_round_trip", files.json());
        }
        json.put("targets", targets.stream().map(Targets.Target::json).toList());
        Path target = Files.createDirectories(Path.of("standalone", "target"));
        Files.writeString(target.resolve("bench-standalone.json"), JSON.writeValueAsString(json));
        String svg = chart(started, loadStart, loadEnd, pools, scenarios);
        Files.writeString(target.resolve("bench-standalone.svg"), svg);
        System.out.println(
                "results: standalone/target/bench-standalone.json, chart: standalone/target/bench-standalone.svg");
        if (o.writeDocs) {
            Files.writeString(Path.of("docs", "bench-standalone.svg"), svg);
            System.out.println("chart written to docs/bench-standalone.svg");
        }
    }

    private static String notes(Scenario s) {
        StringBuilder out = new StringBuilder();
        Object rate = s.notes().get("executions_per_second");
        if (rate != null) {
            out.append(rate)
                    .append(" exec/s (bare ")
                    .append(s.notes().get("bare_per_second"))
                    .append("/s); ");
        }
        Object full = s.notes().get("pools_full_before");
        if (full != null) {
            out.append("pool full before ").append(full).append("; ");
        }
        out.append("pool hits ").append(s.notes().get("pool_hits"));
        out.append(", waited ").append(s.notes().get("pool_wait_hits"));
        out.append(", misses ").append(s.notes().get("pool_misses"));
        if (s.app().errors() > 0) {
            out.append("; first error: ").append(s.app().firstError());
        }
        if (s.bare().errors() > 0) {
            out.append("; bare errors ")
                    .append(s.bare().errors())
                    .append(": ")
                    .append(s.bare().firstError());
        }
        return out.toString();
    }

    static Targets.Measured measured(Options o, List<Scenario> scenarios, List<Cpu> cpus) {
        Scenario paced = find(scenarios, "paced", "py");
        Scenario b2b = find(scenarios, "back-to-back", "py");
        Scenario sustained = find(scenarios, "sustained", "py");
        Scenario cold = find(scenarios, "cold", "py");
        Cpu cpu = cpus.stream()
                .filter(c -> c.workload().id().equals("py"))
                .findFirst()
                .orElse(null);
        return new Targets.Measured(
                cpu == null ? Double.NaN : cpu.app().machine(),
                cpu == null ? Double.NaN : cpu.bare().machine(),
                o.clients,
                o.sustain,
                sustained == null ? Double.NaN : sustained.app().perSecond(),
                pct(sustained, true, 50),
                pct(b2b, true, 50),
                pct(b2b, false, 50),
                pct(b2b, true, 99),
                pct(b2b, false, 99),
                o.rate,
                pct(paced, true, 50),
                pct(paced, false, 50),
                pct(paced, true, 99),
                pct(cold, true, 50),
                pct(cold, true, 99));
    }

    private static Scenario find(List<Scenario> scenarios, String kind, String program) {
        return scenarios.stream()
                .filter(s -> s.kind().equals(kind) && s.workload().id().equals(program))
                .findFirst()
                .orElse(null);
    }

    private static double pct(Scenario s, boolean app, double p) {
        return s == null ? Double.NaN : (app ? s.app() : s.bare()).pct(p);
    }

    private static String chart(
            Instant started, String loadStart, String loadEnd, Map<String, Integer> pools, List<Scenario> scenarios) {
        List<BenchChart.Row> rows = new ArrayList<>();
        List<Scenario> ordered = new ArrayList<>(scenarios);
        List<String> kinds = List.of("paced", "back-to-back", "sustained", "cold");
        ordered.sort(Comparator.comparing((Scenario s) -> kinds.indexOf(s.kind())));
        for (Scenario s : ordered) {
            rows.add(new BenchChart.Row(
                    s.title() + " · " + s.workload().label(),
                    s.app().pct(50),
                    s.app().pct(99),
                    s.bare().pct(50),
                    s.bare().pct(99)));
        }
        return BenchChart.svg(
                "./kcr bench standalone: POST /exec against the bare sandboxed process",
                String.format(
                        Locale.ROOT,
                        "%s, %d cores, warm pools %s, load average %s at start, %s at the end",
                        started.toString().substring(0, 16).replace('T', ' ') + " UTC",
                        Runtime.getRuntime().availableProcessors(),
                        pools,
                        loadStart,
                        loadEnd),
                rows);
    }

    private static void progress(String what) {
        System.err.printf(Locale.ROOT, "[%s] %s%n", Instant.now().toString().substring(11, 19), what);
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** The bench's arguments: {@code --name=value}, or the older positional {@code [pool] [iterations] [rate]}. */
    static final class Options {
        int pool = 8;
        int poolOther = 4;
        int iterations = 24;
        double rate = 2;
        int backToBack = 40;
        int clients = 8;
        double sustain = 20;
        double sustainOther = 5;
        double bareSustain = 5;
        int cpuIterations = 16;
        int coldIterations = 4;
        double quietLimit = 150;
        List<String> only = List.of("py", "chart", "js", "c");
        List<String> phases = List.of("paced", "b2b", "sustained", "cpu", "files", "cold");
        boolean writeDocs;

        static Options parse(String[] args) {
            Options o = new Options();
            int positional = 0;
            for (String arg : args) {
                if (!arg.startsWith("--")) {
                    switch (positional++) {
                        case 0 -> o.pool = Integer.parseInt(arg);
                        case 1 -> o.iterations = Integer.parseInt(arg);
                        case 2 -> o.rate = Double.parseDouble(arg);
                        default -> throw new IllegalArgumentException("unexpected argument " + arg);
                    }
                    continue;
                }
                String[] kv = arg.substring(2).split("=", 2);
                String v = kv.length > 1 ? kv[1] : "";
                switch (kv[0]) {
                    case "pool" -> o.pool = Integer.parseInt(v);
                    case "pool-other" -> o.poolOther = Integer.parseInt(v);
                    case "iterations" -> o.iterations = Integer.parseInt(v);
                    case "rate" -> o.rate = Double.parseDouble(v);
                    case "b2b" -> o.backToBack = Integer.parseInt(v);
                    case "clients" -> o.clients = Integer.parseInt(v);
                    case "sustain" -> o.sustain = Double.parseDouble(v);
                    case "sustain-other" -> o.sustainOther = Double.parseDouble(v);
                    case "bare-sustain" -> o.bareSustain = Double.parseDouble(v);
                    case "cpu-iterations" -> o.cpuIterations = Integer.parseInt(v);
                    case "cold-iterations" -> o.coldIterations = Integer.parseInt(v);
                    case "quiet-limit" -> o.quietLimit = Double.parseDouble(v);
                    case "only" -> o.only = List.of(v.split(","));
                    case "phases" -> o.phases = List.of(v.split(","));
                    case "write-docs" -> o.writeDocs = true;
                    default -> throw new IllegalArgumentException("unknown option " + arg + " (see the README)");
                }
            }
            return o;
        }

        /** The chart program takes 10-30 times longer than the others: a third of the count, at least 4. */
        int count(Workload w, int n) {
            return w.id().equals("chart") ? Math.max(4, n / 3) : n;
        }

        boolean phase(String name) {
            return phases.contains(name);
        }

        String rateLabel() {
            return rate == Math.rint(rate) ? Long.toString((long) rate) : Double.toString(rate);
        }

        Map<String, Object> json() {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("pool", pool);
            json.put("pool_other", poolOther);
            json.put("iterations", iterations);
            json.put("rate", rate);
            json.put("b2b", backToBack);
            json.put("clients", clients);
            json.put("sustain", sustain);
            json.put("sustain_other", sustainOther);
            json.put("bare_sustain", bareSustain);
            json.put("cpu_iterations", cpuIterations);
            json.put("cold_iterations", coldIterations);
            json.put("quiet_limit_ms_per_s", quietLimit);
            json.put("only", only);
            json.put("phases", phases);
            return json;
        }
    }
}
