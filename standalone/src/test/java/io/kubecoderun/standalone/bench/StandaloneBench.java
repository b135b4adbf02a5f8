package io.kubecoderun.standalone.bench;

import io.kubecoderun.runner.exec.BubblewrapSandbox;
import io.kubecoderun.runner.exec.Limits;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The end-to-end benchmark (README: {@code ./kcr bench standalone}): the packaged standalone app as a child
 * process, {@code POST /exec} of a Python hello world at concurrency 1 (paced at a rate the warm pool sustains)
 * and 8 (a burst), against a bare {@code python3 -c} in the same bubblewrap sandbox measured in the same run;
 * then, once the pool has refilled, a 10 MB upload and download.
 */
public final class StandaloneBench {
    private static final String KEY = "bench-key-" + UUID.randomUUID();
    private static final Pattern READY_PY = Pattern.compile("kcr_pool_ready\\{language=\"py\"\\} ([0-9.]+)");

    private StandaloneBench() {}

    public static void main(String[] args) throws Exception {
        int pool = args.length > 0 ? Integer.parseInt(args[0]) : 8;
        int iterations = args.length > 1 ? Integer.parseInt(args[1]) : 60;
        double pacedRate = args.length > 2 ? Double.parseDouble(args[2]) : 2.0;
        Path data = Files.createTempDirectory("kcr-bench-standalone");
        BenchApp app = BenchApp.start(data, KEY, pool);
        HttpClient http = HttpClient.newHttpClient();
        String base = app.base;
        try {
            waitForWarmPool(http, base, pool);
            Path work = Files.createDirectories(data.resolve("bare-work"));
            Path build = Files.createDirectories(data.resolve("bare-build"));
            BubblewrapSandbox sandbox = new BubblewrapSandbox(
                    BubblewrapSandbox.locate().orElseThrow(),
                    work,
                    Files.createDirectories(data.resolve("bare-support")));
            List<String> bare = sandbox.wrap(
                    List.of("/usr/bin/python3", "-c", "print(1)"),
                    build,
                    sandbox.workdirView(),
                    new Limits(512L << 20, 256, 60, 100L << 20, 1024, 0, 0, 256L << 20));

            double[] execMs = new double[iterations];
            double[] bareMs = new double[iterations];
            for (int i = 0; i < 5; i++) {
                exec(http, base);
                runBare(bare, build);
            }
            waitForWarmPool(http, base, pool);
            int refilled = 0;
            for (int i = 0; i < iterations; i++) {
                // Both under the same conditions: whatever is left of the last replacement's start. The bare
                // process first, so that this execution's own replacement (started as it ends, on these cores)
                // cannot slow the baseline.
                refilled += readyRunners(http, base) >= pool ? 1 : 0;
                Thread.sleep(20); // the metrics request's own work done
                long t0 = System.nanoTime();
                runBare(bare, build);
                bareMs[i] = (System.nanoTime() - t0) / 1e6;
                long t1 = System.nanoTime();
                exec(http, base);
                execMs[i] = (System.nanoTime() - t1) / 1e6;
                Thread.sleep(Math.max(0, (long) (1000 / pacedRate) - (long) ((System.nanoTime() - t0) / 1e6)));
            }
            Arrays.sort(execMs);
            Arrays.sort(bareMs);
            System.out.printf(
                    Locale.ROOT,
                    "standalone benchmark: %d warm Python runners, bubblewrap, in-memory registry, files on disk%n",
                    pool);
            System.out.printf(Locale.ROOT, "%-44s %8s %8s %8s   (ms)%n", "", "p50", "p95", "p99");
            row("POST /exec py print, concurrency 1, " + pacedRate + "/s", execMs);
            row("bare sandboxed python3 -c (same run)", bareMs);
            System.out.printf(
                    Locale.ROOT,
                    "ratio at p50: %.2f (target <= 1.5); the pool was full before %d of %d%n",
                    pct(execMs, 50) / pct(bareMs, 50),
                    refilled,
                    iterations);

            waitForWarmPool(http, base, pool);
            int burst = Math.max(iterations, 40);
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<Double>> futures = new ArrayList<>();
            long start = System.nanoTime();
            for (int i = 0; i < burst; i++) {
                futures.add(clients.submit(() -> {
                    long t0 = System.nanoTime();
                    exec(http, base);
                    return (System.nanoTime() - t0) / 1e6;
                }));
            }
            double[] burstMs = new double[burst];
            for (int i = 0; i < burst; i++) {
                burstMs[i] = futures.get(i).get();
            }
            double seconds = (System.nanoTime() - start) / 1e9;
            clients.shutdown();
            Arrays.sort(burstMs);
            row("POST /exec py print, concurrency 8, burst of " + burst, burstMs);
            System.out.printf(
                    Locale.ROOT,
                    "throughput at concurrency 8: %.1f executions/s (single-use sandboxes: bounded by refill)%n",
                    burst / seconds);

            // The file path on its own, as the phases above: not while 2 cores start the runners the burst used.
            waitForWarmPool(http, base, pool);
            byte[] tenMb = new byte[10 << 20];
            new Random(1).nextBytes(tenMb);
            double[] roundTrip = new double[10];
            for (int i = 0; i < roundTrip.length; i++) {
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
                roundTrip[i] = (System.nanoTime() - t0) / 1e6;
            }
            Arrays.sort(roundTrip);
            row("10 MB upload + download round trip", roundTrip);
            System.out.printf(Locale.ROOT, "10 MB round trip p50 %.0f ms (target <= 250)%n", pct(roundTrip, 50));
        } finally {
            app.close();
        }
    }

    private static void exec(HttpClient http, String base) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create(base + "/exec"))
                        .header("x-api-key", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString("{\"lang\":\"py\",\"code\":\"print(1)\"}"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || !response.body().contains("\"stdout\":\"1\\n\"")) {
            throw new IllegalStateException("exec failed: " + response.statusCode() + " " + response.body());
        }
    }

    private static void waitForWarmPool(HttpClient http, String base, int pool) throws Exception {
        long until = System.currentTimeMillis() + 120_000;
        while (System.currentTimeMillis() < until) {
            try {
                if (readyRunners(http, base) >= pool) {
                    return;
                }
            } catch (java.io.IOException notYet) {
                // Still starting.
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the pool did not warm up");
    }

    private static double readyRunners(HttpClient http, String base) throws Exception {
        String metrics = http.send(
                        HttpRequest.newBuilder(URI.create(base + "/q/metrics"))
                                .GET()
                                .build(),
                        HttpResponse.BodyHandlers.ofString())
                .body();
        Matcher m = READY_PY.matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static void runBare(List<String> argv, Path cwd) throws Exception {
        Process p = new ProcessBuilder(argv)
                .directory(cwd.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .start();
        p.getInputStream().readAllBytes();
        p.waitFor();
    }

    private static void row(String name, double[] sorted) {
        System.out.printf(
                Locale.ROOT, "%-44s %8.1f %8.1f %8.1f%n", name, pct(sorted, 50), pct(sorted, 95), pct(sorted, 99));
    }

    private static double pct(double[] sorted, double p) {
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }
}
