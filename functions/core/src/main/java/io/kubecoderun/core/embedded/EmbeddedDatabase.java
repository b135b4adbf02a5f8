package io.kubecoderun.core.embedded;

import io.kubecoderun.registry.DependencyUnavailableException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.logging.Logger;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The embedded default's store: one SQLite file, {@code KCR_DATA_DIR/kcr.db}, in WAL mode, holding sessions and
 * their file index, hot Python states, stored API keys and rate-limit buckets (the bytes of files and archived
 * states stay beside it, under {@code files/}). One connection, used under this object's lock; every write is one
 * transaction, so a process killed at any point leaves the last committed state.
 *
 * <p>Opening checks, before anything is written: that the file is a SQLite database, that it is a KubeCodeRun
 * store ({@code PRAGMA application_id}), that its schema version ({@code PRAGMA user_version}) is not newer than
 * this build's (then it is refused, never downgraded), and {@code PRAGMA quick_check}. A store that fails any of
 * these is reported with {@link UnusableStoreException} and left exactly as it is. Older schema versions are
 * migrated one step at a time, each step in its own transaction.
 */
public final class EmbeddedDatabase implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class.getName());

    public static final String FILE_NAME = "kcr.db";
    /** {@code PRAGMA application_id}: "KCR1". */
    public static final int APPLICATION_ID = 0x4B435231;

    private static final byte[] SQLITE_HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    /** One schema step: from {@code version - 1} to {@code version}. */
    public record Migration(int version, String description, List<String> statements) {}

    /** The schema this build writes; the last migration's version. */
    public static final List<Migration> MIGRATIONS = List.of(new Migration(
            1,
            "sessions, file index, hot states, stored keys, rate-limit buckets",
            List.of(
                    "CREATE TABLE sessions (id TEXT PRIMARY KEY, owner TEXT NOT NULL, entity TEXT,"
                            + " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)",
                    "CREATE INDEX sessions_by_expiry ON sessions (expires_ms)",
                    "CREATE TABLE entities (owner TEXT NOT NULL, entity TEXT NOT NULL, session_id TEXT NOT NULL,"
                            + " PRIMARY KEY (owner, entity))",
                    "CREATE TABLE files (session_id TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL,"
                            + " size INTEGER NOT NULL, etag TEXT, content_type TEXT, last_modified TEXT, kind TEXT,"
                            + " version TEXT, read_only INTEGER NOT NULL, modified_from_id TEXT,"
                            + " modified_from_session_id TEXT, PRIMARY KEY (session_id, id))",
                    "CREATE TABLE states (session_id TEXT PRIMARY KEY, bytes BLOB NOT NULL,"
                            + " created_ms INTEGER NOT NULL, expires_ms INTEGER NOT NULL)",
                    "CREATE INDEX states_by_expiry ON states (expires_ms)",
                    "CREATE TABLE api_keys (hash TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, name TEXT,"
                            + " created_at TEXT NOT NULL)",
                    "CREATE TABLE rate_buckets (key TEXT PRIMARY KEY, tokens REAL NOT NULL,"
                            + " at_ms INTEGER NOT NULL)")));

    public static final int SCHEMA_VERSION = MIGRATIONS.getLast().version();

    /** The store cannot be used as it is: damaged, not ours, or from a newer version. Start-up stops. */
    public static final class UnusableStoreException extends IllegalStateException {
        public UnusableStoreException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Work on the connection. */
    @FunctionalInterface
    public interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final Path file;
    private final Connection connection;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private final Instant openedAt;

    private EmbeddedDatabase(Path file, Connection connection, FileChannel lockChannel, FileLock lock, Instant at) {
        this.file = file;
        this.connection = connection;
        this.lockChannel = lockChannel;
        this.lock = lock;
        this.openedAt = at;
    }

    /** Opens (or creates) the store at {@code file} with this build's schema. */
    public static EmbeddedDatabase open(Path file) {
        return open(file, MIGRATIONS);
    }

    /** Opens with {@code migrations} as the schema history (a test plays a later version with one more step). */
    public static EmbeddedDatabase open(Path file, List<Migration> migrations) {
        Path path = file.toAbsolutePath().normalize();
        long t0 = System.nanoTime();
        Instant openedAt = Instant.now();
        FileChannel lockChannel = null;
        FileLock lock = null;
        try {
            Files.createDirectories(path.getParent());
            lockChannel = FileChannel.open(
                    path.resolveSibling(path.getFileName() + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            try {
                lock = lockChannel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null; // this JVM has it open already (tests restarting an app)
            }
            checkHeader(path);
        } catch (IOException e) {
            closeQuietly(lockChannel);
            throw new UnusableStoreException("cannot open the embedded store " + path + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(lockChannel);
            throw e;
        }
        Connection connection = null;
        try {
            SQLiteConfig config = new SQLiteConfig();
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            // In WAL mode NORMAL never corrupts and loses nothing when the process dies; only a power cut can
            // lose the last commits (never part of one).
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.setBusyTimeout(10_000);
            SQLiteDataSource source = new SQLiteDataSource(config);
            source.setUrl("jdbc:sqlite:" + path);
            connection = source.getConnection();
            int version = migrate(path, connection, migrations);
            quickCheck(path, connection);
            EmbeddedDatabase db = new EmbeddedDatabase(path, connection, lockChannel, lock, openedAt);
            LOG.info("event=embedded_store path=" + path + " schema=" + version + " exclusive=" + (lock != null)
                    + " open_ms=" + (System.nanoTime() - t0) / 1_000_000);
            return db;
        } catch (SQLException e) {
            closeQuietly(connection);
            closeQuietly(lockChannel);
            throw new UnusableStoreException(
                    path + " cannot be read as a KubeCodeRun store (" + e.getMessage() + "). " + leftAsItIs(), e);
        } catch (RuntimeException e) {
            closeQuietly(connection);
            closeQuietly(lockChannel);
            throw e;
        }
    }

    private static String leftAsItIs() {
        return "It has been left as it is: restore it from a backup, or move it (with its -wal file) aside to"
                + " start with an empty store.";
    }

    private static void checkHeader(Path path) throws IOException {
        if (!Files.exists(path) || Files.size(path) == 0) {
            return;
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(path)) {
            head = in.readNBytes(SQLITE_HEADER.length);
        }
        if (!Arrays.equals(head, SQLITE_HEADER)) {
            throw new UnusableStoreException(
                    path + " is not a SQLite database (its first bytes are not the SQLite header): it is damaged"
                            + " or not a KubeCodeRun store. " + leftAsItIs(),
                    null);
        }
    }

    private static int migrate(Path path, Connection connection, List<Migration> migrations) throws SQLException {
        int latest = migrations.getLast().version();
        int applicationId;
        int version;
        int tables;
        try (Statement st = connection.createStatement()) {
            applicationId = intOf(st, "PRAGMA application_id");
            version = intOf(st, "PRAGMA user_version");
            tables = intOf(st, "SELECT count(*) FROM sqlite_schema WHERE type = 'table'");
        }
        if (applicationId != APPLICATION_ID && (applicationId != 0 || tables > 0 || version != 0)) {
            throw new UnusableStoreException(
                    path + " is a SQLite database but not a KubeCodeRun store (application_id " + applicationId + "). "
                            + leftAsItIs(),
                    null);
        }
        if (version > latest) {
            throw new UnusableStoreException(
                    path + " has schema version " + version + ", written by a newer KubeCodeRun; this version"
                            + " reads schema versions up to " + latest + ". Run the newer version, or restore the"
                            + " backup made before the upgrade. The store has not been changed.",
                    null);
        }
        for (Migration migration : migrations) {
            if (migration.version() <= version) {
                continue;
            }
            if (migration.version() != version + 1) {
                throw new IllegalStateException("migrations must be consecutive: " + migration.version());
            }
            connection.setAutoCommit(false);
            try (Statement st = connection.createStatement()) {
                for (String sql : migration.statements()) {
                    st.execute(sql);
                }
                st.execute("PRAGMA application_id = " + APPLICATION_ID);
                st.execute("PRAGMA user_version = " + migration.version());
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
            LOG.info("event=embedded_store_migrated path=" + path + " from=" + version + " to=" + migration.version()
                    + " detail=\"" + migration.description() + "\"");
            version = migration.version();
        }
        return version;
    }

    private static void quickCheck(Path path, Connection connection) throws SQLException {
        List<String> problems = new ArrayList<>();
        try (Statement st = connection.createStatement();
                ResultSet rs = st.executeQuery("PRAGMA quick_check(5)")) {
            while (rs.next()) {
                problems.add(rs.getString(1));
            }
        }
        if (!problems.equals(List.of("ok"))) {
            throw new UnusableStoreException(
                    path + " is damaged (SQLite quick_check: " + String.join("; ", problems) + "). " + leftAsItIs(),
                    null);
        }
    }

    private static int intOf(Statement st, String sql) throws SQLException {
        try (ResultSet rs = st.executeQuery(sql)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    public Path file() {
        return file;
    }

    /** When this process opened the store. */
    public Instant openedAt() {
        return openedAt;
    }

    /**
     * True when this process holds the data directory's lock: then nothing written before {@link #openedAt} can
     * still be in flight, and the sweep may treat it as left over.
     */
    public boolean exclusive() {
        return lock != null;
    }

    /** Reads (auto-commit). */
    public synchronized <T> T read(Work<T> work) {
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    /** One transaction: all of {@code work} or none of it. */
    public synchronized <T> T write(Work<T> work) {
        try {
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw unavailable(e);
        }
    }

    private DependencyUnavailableException unavailable(SQLException e) {
        if (e instanceof SQLiteException sqlite
                && (sqlite.getResultCode() == SQLiteErrorCode.SQLITE_CORRUPT
                        || sqlite.getResultCode() == SQLiteErrorCode.SQLITE_NOTADB)) {
            LOG.severe("event=embedded_store_damaged path=" + file + " error=\"" + e.getMessage() + "\"");
        }
        return new DependencyUnavailableException("embedded store " + file + ": " + e.getMessage(), e);
    }

    /** A cheap round trip for health checks. */
    public void ping() {
        read(c -> {
            try (Statement st = c.createStatement()) {
                return intOf(st, "SELECT 1");
            }
        });
    }

    @Override
    public synchronized void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.warning("event=embedded_store_close_failed error=\"" + e.getMessage() + "\"");
        }
        try {
            if (lock != null) {
                lock.release();
            }
            lockChannel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // Already failing.
            }
        }
    }
}
