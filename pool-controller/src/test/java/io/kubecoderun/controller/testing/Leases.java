package io.kubecoderun.controller.testing;

import io.kubecoderun.core.registry.Lease;
import io.kubecoderun.runner.http.Json;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What the exec function does with a lease, and the waiting the controller tests share. */
public final class Leases {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long AWAIT_MS = 60_000;

    private Leases() {
    }

    /** Claims the leased runner (checking it is the pod leased) and runs {@code code} there with the lease id. */
    public static Map<String, Object> runOnLease(Lease lease, String lang, String code) throws Exception {
        String base = "http://" + lease.pod().ip() + ":" + lease.pod().port();
        HttpResponse<String> claim = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/claim"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"lease_id\":\"" + lease.id() + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, claim.statusCode(), claim.body());
        assertEquals(lease.pod().uid(), Json.parseObject(claim.body()).get("pod_uid"), "the runner is the pod leased");
        HttpResponse<String> run = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/execute"))
                .header("X-Lease-Id", lease.id())
                .POST(HttpRequest.BodyPublishers.ofString(Json.write(Map.of("lang", lang, "code", code)))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, run.statusCode(), run.body());
        return Json.parseObject(run.body());
    }

    public static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long until = System.currentTimeMillis() + AWAIT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > until) {
                throw new AssertionError("timed out waiting until " + what);
            }
            Thread.sleep(25);
        }
    }

    /** How the packaged runner starts (the build's jar and JVM options). */
    public static List<String> runnerCommand() {
        return List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@" + Path.of(System.getProperty("runner.jvm.options", "../runner/jvm.options")).toAbsolutePath(),
                "-jar", Path.of(System.getProperty("runner.jar", "../runner/target/runner.jar")).toAbsolutePath().toString());
    }
}
