package io.kubecoderun.core.embedded;

import io.kubecoderun.core.state.SqliteStateTier;
import io.kubecoderun.core.state.StateCodec;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SqliteSessionStore;
import io.kubecoderun.core.store.StoredObject;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Random;

/**
 * The child process of {@link EmbeddedCrashTest}: writes as the service does (bytes, then their record; a state
 * save) in a loop until it is killed, printing each finished round.
 */
public final class CrashWriter {
    private CrashWriter() {}

    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]);
        EmbeddedDatabase db = EmbeddedDatabase.open(data.resolve(EmbeddedDatabase.FILE_NAME));
        SqliteSessionStore sessions = new SqliteSessionStore(db, Clock.systemUTC());
        LocalDiskFileStore files = new LocalDiskFileStore(data.resolve("files"));
        TieredStateStore states = new TieredStateStore(
                new SqliteStateTier(db, Clock.systemUTC()), files, Clock.systemUTC(), 64L << 20, Duration.ofHours(1));
        Session session = sessions.create("key:crash", null, Duration.ofDays(1));
        Random random = new Random();
        for (int round = 0; ; round++) {
            byte[] bytes = new byte[64 * 1024 + random.nextInt(512 * 1024)];
            random.nextBytes(bytes);
            String id = "r" + round;
            StoredObject stored =
                    files.put(FileRecord.objectKey(session.id(), id), new ByteArrayInputStream(bytes), 1 << 20, null);
            sessions.putFile(new FileRecord(
                    id,
                    session.id(),
                    "out/" + id + ".bin",
                    stored.size(),
                    stored.etag(),
                    "application/octet-stream",
                    stored.lastModified(),
                    "agent",
                    null,
                    false,
                    null,
                    null));
            byte[] raw = new byte[1024 + random.nextInt(1 << 20)];
            random.nextBytes(raw);
            states.save(session.id(), StateCodec.encode(raw), Duration.ofHours(1));
            System.out.println("round " + round);
            System.out.flush();
        }
    }
}
