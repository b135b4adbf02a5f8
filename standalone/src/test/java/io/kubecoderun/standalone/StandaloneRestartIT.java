package io.kubecoderun.standalone;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.testing.MultipartBody;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged standalone app ({@code target/quarkus-app/quarkus-run.jar}) as a child process, stopped with SIGTERM
 * and with SIGKILL and started again over the same {@code KCR_DATA_DIR}: what a user of {@code ./kcr start} keeps.
 */
class StandaloneRestartIT {
    static final String KEY = "restart-key-0123456789";
    static final String OTHER_KEY = "restart-other-9876543210";
    static final String MASTER_KEY = "restart-master-5555555555";

    @TempDir
    Path data;

    final HttpClient http = HttpClient.newHttpClient();
    final ObjectMapper json = new ObjectMapper();
    Process app;
    int port;

    void start() throws Exception {
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        ProcessBuilder builder = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        Path.of("target/quarkus-app/quarkus-run.jar").toString())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(
                        data.resolve("standalone.log").toFile()));
        builder.environment()
                .putAll(Map.ofEntries(
                        Map.entry("API_KEY", KEY),
                        Map.entry("API_KEYS", OTHER_KEY),
                        Map.entry("MASTER_API_KEY", MASTER_KEY),
                        Map.entry("KCR_GENERATE_API_KEY", "false"),
                        Map.entry("API_PORT", Integer.toString(port)),
                        Map.entry("KCR_DATA_DIR", data.toString()),
                        Map.entry("KCR_LOCAL_DIR", data.resolve("pods").toString()),
                        Map.entry("POD_POOL_PY", "1"),
                        Map.entry("POD_POOL_JS", "0"),
                        Map.entry("POD_POOL_BASH", "0"),
                        Map.entry("KCR_RUNNER_JAR", System.getProperty("runner.jar")),
                        Map.entry("KCR_RUNNER_JVM_OPTIONS", System.getProperty("runner.jvm.options"))));
        app = builder.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            if (!app.isAlive()) {
                throw new AppExited(log());
            }
            try {
                if (get("/health", KEY).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // Not listening yet.
            }
            Thread.sleep(100);
        }
        throw new AssertionError("not healthy within 60 s: " + log());
    }

    static final class AppExited extends RuntimeException {
        AppExited(String log) {
            super("the app exited:\n" + log);
        }
    }

    String log() throws IOException {
        return Files.readString(data.resolve("standalone.log"));
    }

    void stop(boolean kill) throws Exception {
        if (kill) {
            app.destroyForcibly(); // SIGKILL
        } else {
            app.destroy(); // SIGTERM
        }
        app.waitFor();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (app != null && app.isAlive()) {
            app.destroyForcibly();
            app.waitFor();
        }
    }

    HttpRequest.Builder request(String path, String key) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("x-api-key", key);
    }

    HttpResponse<byte[]> get(String path, String key) throws Exception {
        return http.send(request(path, key).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> send(HttpRequest request, int expected) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertEquals(expected, response.statusCode(), response.body());
        return response.body().isEmpty() ? Map.of() : json.readValue(response.body(), Map.class);
    }

    Map<String, Object> exec(String code, String session, String files) throws Exception {
        String body = "{\"lang\":\"py\",\"code\":" + json.writeValueAsString(code)
                + (session == null ? "" : ",\"session_id\":\"" + session + "\"")
                + (files == null ? "" : ",\"files\":" + files) + "}";
        return send(
                request("/exec", KEY)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                200);
    }

    /** Everything a client can read of the session, to compare before and after a restart. */
    Map<String, Object> snapshot(String session, List<String> fileIds) throws Exception {
        Map<String, Object> seen = new LinkedHashMap<>();
        for (String detail : List.of("summary", "simple", "full", "normalized")) {
            HttpResponse<byte[]> listing = get("/files/" + session + "?detail=" + detail, KEY);
            assertEquals(200, listing.statusCode());
            // Parsed: the order of keys inside "metadata" is a Map.of order, which differs from JVM to JVM.
            seen.put("listing " + detail, json.readValue(listing.body(), Object.class));
        }
        for (String id : fileIds) {
            HttpResponse<byte[]> download = get("/download/" + session + "/" + id, KEY);
            assertEquals(200, download.statusCode(), "download of " + id);
            seen.put("download " + id, new String(download.body(), StandardCharsets.UTF_8));
            seen.put("etag " + id, download.headers().firstValue("etag").orElse(null));
            HttpResponse<byte[]> object = get("/sessions/" + session + "/objects/" + id, KEY);
            assertEquals(200, object.statusCode());
            seen.put("object " + id, json.readValue(object.body(), Object.class));
            assertEquals(404, get("/download/" + session + "/" + id, OTHER_KEY).statusCode(), "another principal");
            assertEquals(
                    404,
                    get("/sessions/" + session + "/objects/" + id, OTHER_KEY).statusCode(),
                    "another principal");
        }
        assertEquals("[]", new String(get("/files/" + session, OTHER_KEY).body(), StandardCharsets.UTF_8));
        HttpResponse<byte[]> state = get("/state/" + session, KEY);
        assertEquals(200, state.statusCode());
        seen.put("state etag", state.headers().firstValue("etag").orElse(null));
        Map<?, ?> info = json.readValue(get("/state/" + session + "/info", KEY).body(), Map.class);
        seen.put("state hash", info.get("hash"));
        seen.put("state created", info.get("created_at"));
        assertEquals(404, get("/state/" + session, OTHER_KEY).statusCode(), "another principal's state");
        return seen;
    }

    @Test
    @SuppressWarnings("unchecked")
    void sessionsFilesStateKeysAndLineageSurviveSigtermAndSigkill() throws Exception {
        start();
        MultipartBody body = new MultipartBody().file("file", "in.txt", "input".getBytes(StandardCharsets.UTF_8));
        Map<String, Object> up = send(
                request("/upload", KEY)
                        .header("Content-Type", body.contentType())
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body.build()))
                        .build(),
                200);
        String uploadSession = (String) up.get("session_id");
        String uploadId =
                (String) ((List<Map<String, Object>>) up.get("files")).get(0).get("fileId");

        Map<String, Object> first =
                exec("open('keep.txt', 'w').write('kept bytes')\nx = 41\nprint('ok')", uploadSession, null);
        assertEquals("ok\n", first.get("stdout"), String.valueOf(first));
        String session = (String) first.get("session_id");
        assertEquals(uploadSession, session);
        String keepId = ((List<Map<String, Object>>) first.get("files"))
                .stream()
                        .filter(f -> f.get("name").equals("keep.txt"))
                        .map(f -> (String) f.get("id"))
                        .findFirst()
                        .orElseThrow();
        Map<String, Object> created = send(
                request("/admin/keys", MASTER_KEY)
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"survivor\"}"))
                        .build(),
                201);
        String storedKey = (String) created.get("key");
        for (boolean kill : new boolean[] {false, true}) {
            String how = kill ? "after SIGKILL" : "after SIGTERM";
            // Taken again each round: the run of the last round saved the state again.
            Map<String, Object> before = snapshot(session, List.of(uploadId, keepId));
            stop(kill);
            start();
            assertEquals(before, snapshot(session, List.of(uploadId, keepId)), how);
            assertEquals("kept bytes", before.get("download " + keepId));
            Map<String, Object> next = exec("print(x + 1)", session, null);
            assertEquals("42\n", next.get("stdout"), how + ": " + next);
            assertEquals(200, get("/files/" + session, storedKey).statusCode(), how + ": the stored key still works");
        }

        // Lineage: a pre-restart input changed by a run after the restarts names the file it came from.
        Map<String, Object> changed = exec(
                "open('in.txt', 'a').write(' changed')",
                session,
                "[{\"id\":\"" + uploadId + "\",\"session_id\":\"" + uploadSession + "\",\"name\":\"in.txt\"}]");
        Map<String, Object> out = ((List<Map<String, Object>>) changed.get("files"))
                .stream()
                        .filter(f -> f.get("name").equals("in.txt"))
                        .findFirst()
                        .orElseThrow(() -> new AssertionError(String.valueOf(changed)));
        assertEquals(Map.of("id", uploadId, "storage_session_id", uploadSession), out.get("modified_from"));
        assertEquals(
                "input changed",
                new String(
                        get("/download/" + session + "/" + out.get("id"), KEY).body(), StandardCharsets.UTF_8));
        stop(false);
    }

    @Test
    @SuppressWarnings("unchecked")
    void aSessionThatExpiredWhileTheServiceWasDownIsGoneWithItsBytes() throws Exception {
        start();
        Map<String, Object> first = exec("open('keep.txt', 'w').write('soon gone')\nx = 1", null, null);
        String session = (String) first.get("session_id");
        String keepId =
                (String) ((List<Map<String, Object>>) first.get("files")).get(0).get("id");
        Path bytes = data.resolve("files/sessions/" + session + "/" + keepId);
        assertTrue(Files.exists(bytes));
        stop(false);
        // The service is down past the session's TTL.
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + data.resolve("kcr.db"));
                Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE sessions SET expires_ms = 1000 WHERE id = '" + session + "'");
        }
        start();
        assertEquals("[]", new String(get("/files/" + session, KEY).body(), StandardCharsets.UTF_8));
        assertEquals(404, get("/download/" + session + "/" + keepId, KEY).statusCode());
        Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> !Files.exists(bytes) && !Files.exists(bytes.getParent()));
        assertTrue(log().contains("event=embedded_sweep"), "the sweep reported its pass");
        stop(false);
    }

    @Test
    void aDamagedStoreIsReportedAtStartUpAndNeverReplaced() throws Exception {
        Files.createDirectories(data);
        byte[] garbage = "this is not a database, but an operator's mistake\n"
                .repeat(200)
                .getBytes(StandardCharsets.UTF_8);
        Files.write(data.resolve("kcr.db"), garbage);
        AppExited exited = org.junit.jupiter.api.Assertions.assertThrows(AppExited.class, this::start);
        assertTrue(exited.getMessage().contains("is not a SQLite database"), exited.getMessage());
        assertTrue(exited.getMessage().contains(data.resolve("kcr.db").toString()), "names the file");
        org.junit.jupiter.api.Assertions.assertArrayEquals(garbage, Files.readAllBytes(data.resolve("kcr.db")));
        try (Stream<Path> files = Files.list(data)) {
            assertFalse(files.anyMatch(p -> p.getFileName().toString().startsWith("kcr.db-")), "no WAL beside it");
        }
    }
}
