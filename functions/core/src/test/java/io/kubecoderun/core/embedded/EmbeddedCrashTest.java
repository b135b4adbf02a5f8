package io.kubecoderun.core.embedded;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.state.SqliteStateTier;
import io.kubecoderun.core.state.StateCodec;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.kubecoderun.core.store.StoredObject;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a process writing files, records and states at a random moment, three times over one data
 * directory: the next open is clean (quick_check passes), every record's bytes are whole (size and SHA-256 as
 * recorded), no temporary file is listed, the state is a whole one, and the sweep leaves only referenced bytes.
 */
class EmbeddedCrashTest {
    @TempDir
    Path data;

    @Test
    void killedMidWriteTheNextStartIsClean() throws Exception {
        Random random = new Random();
        for (int kill = 0; kill < 3; kill++) {
            Process child = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            CrashWriter.class.getName(),
                            data.toString())
                    .redirectErrorStream(true)
                    .start();
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            int rounds = 5 + random.nextInt(10);
            String line = "";
            for (int seen = 0; seen < rounds && line != null; ) {
                line = out.readLine();
                if (line != null && line.startsWith("round ")) {
                    seen++;
                }
            }
            assertTrue(line != null, "the writer died on its own");
            Thread.sleep(random.nextInt(40)); // somewhere inside a round
            child.destroyForcibly(); // SIGKILL
            child.waitFor();
            drain(child.getInputStream());
        }

        EmbeddedDatabase db = EmbeddedDatabase.open(data.resolve(EmbeddedDatabase.FILE_NAME)); // quick_check: ok
        try {
            SqliteSessionStore sessions = new SqliteSessionStore(db, Clock.systemUTC());
            LocalDiskFileStore files = new LocalDiskFileStore(data.resolve("files"));
            List<FileRecord> records = sessions.allFiles();
            assertTrue(records.size() >= 15, "three runs of rounds: " + records.size());
            for (FileRecord record : records) {
                StoredObject object = files.stat(record.objectKey())
                        .orElseThrow(
                                () -> new AssertionError("a record points at missing bytes: " + record.objectKey()));
                assertEquals(record.size(), object.size());
                try (InputStream in = files.open(record.objectKey())) {
                    assertEquals(record.etag(), TieredStateStore.sha256(in.readAllBytes()), "whole bytes");
                }
            }
            for (StoredObject object : files.list("")) {
                assertFalse(object.key().contains(".kcr-tmp-"), "a temporary file is listed: " + object.key());
            }
            TieredStateStore states = new TieredStateStore(
                    new SqliteStateTier(db, Clock.systemUTC()),
                    files,
                    Clock.systemUTC(),
                    64L << 20,
                    Duration.ofHours(1));
            for (String sessionId :
                    records.stream().map(FileRecord::sessionId).distinct().toList()) {
                byte[] stored = states.load(sessionId).orElseThrow().bytes();
                StateCodec.decode(stored, 64L << 20); // a whole LZ4 frame, never a torn one
            }

            new EmbeddedSweep(db, sessions, files, Clock.systemUTC(), EmbeddedSweep.GRACE).run();
            Set<String> referenced = new HashSet<>(sessions.referencedObjectKeys());
            for (StoredObject object : files.list("sessions/")) {
                assertTrue(referenced.contains(object.key()), "the sweep left unreferenced bytes: " + object.key());
            }
            try (Stream<Path> all = Files.walk(data.resolve("files"))) {
                assertEquals(
                        List.of(),
                        all.filter(p -> p.getFileName().toString().startsWith(".kcr-tmp-"))
                                .toList(),
                        "the sweep removed what the killed writes left");
            }
        } finally {
            db.close();
        }
    }

    private static void drain(InputStream in) {
        try (in) {
            in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException ignored) {
            // The process is gone.
        }
    }
}
