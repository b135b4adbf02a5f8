package io.kubecoderun.core.embedded;

import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.SqliteSessionStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up cost of a large embedded store (README: "Embedded store"): 10,000 sessions and 100,000 files (records
 * and bytes on disk), then what opening adds against an empty store, and the background sweep's pass. Runs only
 * with {@code -Dkcr.bench=true}.
 */
class EmbeddedStoreBench {
    @TempDir
    Path temp;

    @Test
    void openingALargeStore() throws Exception {
        Assumptions.assumeTrue(Boolean.getBoolean("kcr.bench"), "set -Dkcr.bench=true");
        int sessions = Integer.getInteger("kcr.bench.sessions", 10_000);
        int filesPer = Integer.getInteger("kcr.bench.files-per-session", 10);
        Path empty = temp.resolve("empty/kcr.db");
        Path large = temp.resolve("large/kcr.db");
        EmbeddedDatabase.open(empty).close();

        long t0 = System.nanoTime();
        EmbeddedDatabase db = EmbeddedDatabase.open(large);
        Instant now = Instant.now();
        String[] ids = new String[sessions];
        db.write(c -> {
            try (PreparedStatement s = c.prepareStatement(
                            "INSERT INTO sessions (id, owner, entity, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)");
                    PreparedStatement f = c.prepareStatement("INSERT INTO files (id, session_id, name, size, etag,"
                            + " content_type, last_modified, kind, version, read_only, modified_from_id,"
                            + " modified_from_session_id) VALUES (?, ?, ?, 3, 'e', 'text/plain', ?, 'agent', NULL, 0,"
                            + " NULL, NULL)")) {
                for (int i = 0; i < sessions; i++) {
                    ids[i] = io.kubecoderun.core.ids.Ids.next();
                    s.setString(1, ids[i]);
                    s.setString(2, "key:owner" + (i % 50));
                    s.setString(3, "entity" + i);
                    s.setLong(4, now.toEpochMilli());
                    s.setLong(5, now.toEpochMilli() + 86_400_000L);
                    s.addBatch();
                    for (int j = 0; j < filesPer; j++) {
                        f.setString(1, "file" + j);
                        f.setString(2, ids[i]);
                        f.setString(3, "out/file" + j + ".txt");
                        f.setString(4, now.toString());
                        f.addBatch();
                    }
                }
                s.executeBatch();
                f.executeBatch();
            }
            return null;
        });
        db.close();
        LocalDiskFileStore files = new LocalDiskFileStore(large.resolveSibling("files"));
        for (String id : ids) {
            Path dir = Files.createDirectories(large.resolveSibling("files/sessions/" + id));
            for (int j = 0; j < filesPer; j++) {
                Files.writeString(dir.resolve("file" + j), "abc");
                Files.writeString(dir.resolve("file" + j + ".kcr-etag"), "e");
            }
        }
        System.out.printf(
                Locale.ROOT,
                "built %d sessions, %d files in %.1f s; kcr.db %.1f MB%n",
                sessions,
                sessions * filesPer,
                (System.nanoTime() - t0) / 1e9,
                Files.size(large) / 1e6);

        for (int round = 0; round < 3; round++) {
            double emptyMs = timeOpen(empty);
            double largeMs = timeOpen(large);
            System.out.printf(
                    Locale.ROOT,
                    "open + schema check + quick_check + first lookup: empty %.0f ms, large %.0f ms, added %.0f ms%n",
                    emptyMs,
                    largeMs,
                    largeMs - emptyMs);
        }
        try (EmbeddedDatabase opened = EmbeddedDatabase.open(large)) {
            SqliteSessionStore store = new SqliteSessionStore(opened, Clock.systemUTC());
            long s0 = System.nanoTime();
            EmbeddedSweep.Result result =
                    new EmbeddedSweep(opened, store, files, Clock.systemUTC(), EmbeddedSweep.GRACE).run();
            System.out.printf(
                    Locale.ROOT,
                    "background sweep over %d objects: %.0f ms (%s)%n",
                    sessions * filesPer,
                    (System.nanoTime() - s0) / 1e6,
                    result);
        }
    }

    private static double timeOpen(Path file) {
        long t0 = System.nanoTime();
        try (EmbeddedDatabase db = EmbeddedDatabase.open(file)) {
            SqliteSessionStore store = new SqliteSessionStore(db, Clock.systemUTC());
            store.find("aaaaaaaaaaaaaaaaaaaaa", "key:owner1");
            store.files("aaaaaaaaaaaaaaaaaaaaa");
            store.census();
        }
        return (System.nanoTime() - t0) / 1e6;
    }
}
