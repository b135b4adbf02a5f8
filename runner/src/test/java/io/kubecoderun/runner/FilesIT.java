package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.io.InputStream;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The runner's file endpoints over HTTP with a sandboxed runner: streaming, listings, and confinement attacks. */
class FilesIT {
    @RegisterExtension
    static final RunnerExtension runner = RunnerExtension.sandboxed();

    static RunnerHttp client;

    @BeforeAll
    static void connect() {
        client = runner.client();
    }

    private static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            int n;
            while ((n = in.read(buffer)) > 0) {
                digest.update(buffer, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> listing() throws Exception {
        RunnerHttp.Reply reply = client.get("/files");
        assertEquals(200, reply.status());
        return (List<Map<String, Object>>) reply.json().get("files");
    }

    @Test
    void aFiftyMegabyteFileRoundTripsThroughTheRunnerAndTheSandbox() throws Exception {
        Path original = runner.temp().resolve("big.bin");
        byte[] block = new byte[1 << 20];
        new Random(42).nextBytes(block);
        try (var out = Files.newOutputStream(original)) {
            for (int i = 0; i < 50; i++) {
                block[0] = (byte) i;
                out.write(block);
            }
        }
        String hash = sha256(original);

        RunnerHttp.Reply put = client.putFile("/files/in/big.bin", original);
        assertEquals(201, put.status(), put.raw());
        assertEquals(hash, put.json().get("sha256"));
        assertEquals(50L << 20, put.json().get("size"));

        Map<String, Object> entry = listing().stream()
                .filter(f -> f.get("path").equals("in/big.bin"))
                .findFirst()
                .orElseThrow();
        assertEquals(hash, entry.get("sha256"));

        // The sandboxed program sees the same bytes at /mnt/data and writes a copy.
        RunnerHttp.Reply run = client.execute(Map.of("lang", "py", "code", """
                import hashlib, shutil
                data = open('/mnt/data/in/big.bin', 'rb').read()
                print(len(data), hashlib.sha256(data).hexdigest())
                shutil.copy('/mnt/data/in/big.bin', 'out/copy.bin') if __import__('os').makedirs('out', exist_ok=True) is None else None
                """));
        assertEquals(200, run.status());
        assertEquals((50L << 20) + " " + hash + "\n", run.json().get("stdout"), run.raw());

        Path downloaded = runner.temp().resolve("downloaded.bin");
        HttpResponse<InputStream> response = client.download("/files/out/copy.bin");
        assertEquals(200, response.statusCode());
        try (InputStream in = response.body()) {
            Files.copy(in, downloaded);
        }
        assertEquals(hash, sha256(downloaded));

        assertEquals(204, client.delete("/files/out/copy.bin").status());
        assertEquals(404, client.get("/files/out/copy.bin").status());
        assertEquals(404, client.delete("/files/out/copy.bin").status());
    }

    @Test
    void filesCreatedInSubfoldersAreListedRecursivelyAndUntouchedInputsKeepTheirHash() throws Exception {
        assertEquals(
                201,
                client.putBytes("/files/data/input.csv", "a,b\n1,2\n".getBytes())
                        .status());
        String inputHash = (String) listing().stream()
                .filter(f -> f.get("path").equals("data/input.csv"))
                .findFirst()
                .orElseThrow()
                .get("sha256");
        RunnerHttp.Reply run = client.execute(Map.of(
                "lang",
                "bash",
                "code",
                "mkdir -p reports/2026 && echo hi > reports/2026/summary.txt && cat data/input.csv > /dev/null"));
        assertEquals(0L, run.json().get("exit_code"), run.raw());
        List<Map<String, Object>> files = listing();
        assertTrue(
                files.stream()
                        .anyMatch(f -> f.get("path").equals("reports/2026/summary.txt")
                                && f.get("size").equals(3L)),
                files.toString());
        assertEquals(
                inputHash,
                files.stream()
                        .filter(f -> f.get("path").equals("data/input.csv"))
                        .findFirst()
                        .orElseThrow()
                        .get("sha256"));
    }

    @Test
    void encodedDotDotAndAbsolutePathsAreRejected() throws Exception {
        for (String path : List.of(
                "/files/..%2Fescape.txt",
                "/files/a/..%2F..%2Fescape.txt", "/files/%2Fetc%2Fx", "/files//etc/x", "/files/a%00b")) {
            RunnerHttp.Reply reply = client.putBytes(path, "x".getBytes());
            assertEquals(400, reply.status(), path + " -> " + reply.raw());
            assertEquals("invalid_path", reply.json().get("error_type"));
        }
        assertFalse(Files.exists(runner.process().workdir().getParent().resolve("escape.txt")));
    }

    @Test
    void aSymlinkPlantedByUserCodeCannotLeakAHostFile() throws Exception {
        Path secret = Files.writeString(runner.temp().resolve("host-secret.txt"), "host secret");
        RunnerHttp.Reply run = client.execute(Map.of(
                "lang", "bash", "code", "ln -s " + secret + " leak && ln -s /etc/passwd passwd-link && echo ok"));
        assertEquals("ok\n", run.json().get("stdout"), run.raw());
        for (String name : List.of("leak", "passwd-link")) {
            RunnerHttp.Reply reply = client.get("/files/" + name);
            assertEquals(400, reply.status(), name);
            assertFalse(reply.raw().contains("host secret") || reply.raw().contains("root:x:0"));
        }
        assertTrue(listing().stream().noneMatch(f -> f.get("path").equals("leak")), "links are not listed");
    }

    @Test
    void aSymlinkedDirectoryPlantedByUserCodeCannotRedirectAnUpload() throws Exception {
        Path outside = Files.createDirectories(runner.temp().resolve("outside-dir"));
        RunnerHttp.Reply run = client.execute(Map.of("lang", "bash", "code", "ln -s " + outside + " planted-dir"));
        assertEquals(0L, run.json().get("exit_code"), run.raw());
        RunnerHttp.Reply reply = client.putBytes("/files/planted-dir/evil.sh", "#!/bin/sh".getBytes());
        assertEquals(400, reply.status());
        assertFalse(Files.exists(outside.resolve("evil.sh")));
    }

    @Test
    void listingWithoutFilesIsEmptyAndUnknownMethodsAre405() throws Exception {
        assertNotEquals(null, client.get("/files").json().get("files"));
        assertEquals(405, client.method("PATCH", "/files/x").status());
        assertEquals(405, client.method("POST", "/files").status());
        assertEquals(404, client.get("/nope").status());
    }
}
