package io.kubecoderun.runner;

import io.kubecoderun.runner.lang.Languages;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The runner's settings, read from environment variables and validated as a whole before the port is bound, so a
 * misconfigured image fails at start with every problem listed rather than at the first request.
 */
public record RunnerConfig(
        String bindAddress,
        int port,
        Path workdir,
        Path scratch,
        String language,
        String sandbox,
        Duration defaultTimeout,
        Duration maxTimeout,
        int maxOutputBytes,
        long maxRequestBytes,
        long maxStateBytes,
        long maxFileBytes,
        long memoryLimitBytes,
        int pidsLimit,
        long fileSizeLimitBytes,
        int openFilesLimit,
        int processLimit,
        long tmpSizeBytes,
        String cgroupParent,
        String podUid,
        String podName,
        Duration shutdownGrace,
        boolean warmPython,
        String pythonPreload) {

    // Defaults, each with its reason.
    /** The pod contract: functions reach every runner on 8080. */
    static final int DEFAULT_PORT = 8080;
    /** Where an execution's files live in a pod (an emptyDir mount). */
    static final String DEFAULT_WORKDIR = "/mnt/data";
    /** Build directories sit outside the working directory so sources and binaries never look like outputs. */
    static final String DEFAULT_SCRATCH = "/tmp/kcr-runner";
    /** Long enough for data work in an agent turn, short enough that a stuck program frees its pod. */
    static final String DEFAULT_TIMEOUT = "30s";
    /** Upper bound a caller may ask for. */
    static final String DEFAULT_MAX_TIMEOUT = "300s";
    /** Per stream; the public API's cap. */
    static final String DEFAULT_MAX_OUTPUT = "64KiB";
    /** Code (the API caps it at 512 KiB) plus a 50 MiB state as base64 (about 67 MiB), with room. */
    static final String DEFAULT_MAX_REQUEST = "80MiB";
    /** The public API's state cap. */
    static final String DEFAULT_MAX_STATE = "50MiB";
    /** Input files are capped at 25 MiB by the API; the runner allows more for generated inputs. */
    static final String DEFAULT_MAX_FILE = "100MiB";
    /** A code-interpreter default: enough for pandas on a few hundred MB of data. */
    static final String DEFAULT_MEMORY = "512MiB";
    /** Stops fork bombs while leaving room for compilers and thread pools. */
    static final int DEFAULT_PIDS = 256;
    /** Largest single file user code may write. */
    static final String DEFAULT_FILE_SIZE = "100MiB";
    /** Open descriptors per process. */
    static final int DEFAULT_OPEN_FILES = 1024;
    /** Private /tmp in the bubblewrap sandbox (tmpfs, counted in memory). */
    static final String DEFAULT_TMP_SIZE = "256MiB";
    /** Time a running program gets between TERM and KILL at shutdown. */
    static final String DEFAULT_SHUTDOWN_GRACE = "5s";

    public static RunnerConfig fromEnvironment() {
        return from(System.getenv());
    }

    /** Reads and validates; throws {@link ConfigException} naming every bad variable. */
    public static RunnerConfig from(Map<String, String> env) {
        Reader r = new Reader(env);
        RunnerConfig config = new RunnerConfig(
                r.string("RUNNER_BIND", "0.0.0.0"),
                r.integer("RUNNER_PORT", DEFAULT_PORT, 0, 65535),
                r.path("RUNNER_WORKDIR", DEFAULT_WORKDIR),
                r.path("RUNNER_SCRATCH", DEFAULT_SCRATCH),
                r.language("RUNNER_LANGUAGE"),
                r.oneOf("RUNNER_SANDBOX", "none", List.of("none", "bubblewrap")),
                r.duration("RUNNER_DEFAULT_TIMEOUT", DEFAULT_TIMEOUT),
                r.duration("RUNNER_MAX_TIMEOUT", DEFAULT_MAX_TIMEOUT),
                (int) r.size("RUNNER_MAX_OUTPUT_BYTES", DEFAULT_MAX_OUTPUT, 1024, 64L << 20),
                r.size("RUNNER_MAX_REQUEST_BYTES", DEFAULT_MAX_REQUEST, 1024, 1L << 30),
                r.size("RUNNER_MAX_STATE_BYTES", DEFAULT_MAX_STATE, 1024, 512L << 20),
                r.size("RUNNER_MAX_FILE_BYTES", DEFAULT_MAX_FILE, 1024, 64L << 30),
                r.size("RUNNER_MEMORY_LIMIT", DEFAULT_MEMORY, 16L << 20, 1L << 40),
                r.integer("RUNNER_PIDS_LIMIT", DEFAULT_PIDS, 8, 1 << 20),
                r.size("RUNNER_FILE_SIZE_LIMIT", DEFAULT_FILE_SIZE, 1024, 1L << 40),
                r.integer("RUNNER_OPEN_FILES", DEFAULT_OPEN_FILES, 64, 1 << 20),
                r.integer("RUNNER_PROCESS_LIMIT", 0, 0, 1 << 20),
                r.size("RUNNER_TMP_SIZE", DEFAULT_TMP_SIZE, 1L << 20, 1L << 40),
                r.string("RUNNER_CGROUP_PARENT", "auto"),
                r.string("RUNNER_POD_UID", ""),
                r.string("RUNNER_POD_NAME", ""),
                r.duration("RUNNER_SHUTDOWN_GRACE", DEFAULT_SHUTDOWN_GRACE),
                !r.oneOf("RUNNER_PYTHON_WARM", "true", List.of("true", "false")).equals("false"),
                r.string("RUNNER_PYTHON_PRELOAD", ""));
        if (!config.pythonPreload().matches("[A-Za-z0-9_.,]*")) {
            r.problems().add("RUNNER_PYTHON_PRELOAD must be comma-separated module names");
        }
        if (config.defaultTimeout().compareTo(config.maxTimeout()) > 0) {
            r.problems()
                    .add("RUNNER_DEFAULT_TIMEOUT (" + config.defaultTimeout() + ") exceeds RUNNER_MAX_TIMEOUT ("
                            + config.maxTimeout() + ")");
        }
        if (config.scratch().startsWith(config.workdir())) {
            r.problems().add("RUNNER_SCRATCH must not lie inside RUNNER_WORKDIR: build files would look like outputs");
        }
        String parent = config.cgroupParent();
        if (!parent.equals("auto") && !parent.equals("off") && !parent.startsWith("/sys/fs/cgroup/")) {
            r.problems().add("RUNNER_CGROUP_PARENT must be auto, off or a path under /sys/fs/cgroup/");
        }
        if (!r.problems().isEmpty()) {
            throw new ConfigException(r.problems());
        }
        return config;
    }

    /** Every problem found in the environment, one per line. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(List<String> problems) {
            super("invalid runner configuration:\n  " + String.join("\n  ", problems));
        }
    }

    private static final class Reader extends EnvReader {
        private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)(i?b?)", Pattern.CASE_INSENSITIVE);
        private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h)?", Pattern.CASE_INSENSITIVE);

        Reader(Map<String, String> env) {
            super(env::get);
        }

        Path path(String name, String fallback) {
            String value = string(name, fallback);
            Path path = Path.of(value);
            if (!path.isAbsolute()) {
                problems().add(name + "=" + value + " must be an absolute path");
            }
            return path.normalize();
        }

        String oneOf(String name, String fallback, List<String> allowed) {
            String value = string(name, fallback).toLowerCase(Locale.ROOT);
            if (!allowed.contains(value)) {
                problems().add(name + "=" + value + " must be one of " + allowed);
                return fallback;
            }
            return value;
        }

        String language(String name) {
            String value = string(name, null);
            if (value == null) {
                return null;
            }
            return Languages.find(value).map(l -> l.id()).orElseGet(() -> {
                problems().add(name + "=" + value + " is not a supported language");
                return null;
            });
        }

        Duration duration(String name, String fallback) {
            String value = string(name, fallback);
            Matcher m = DURATION.matcher(value);
            if (!m.matches()) {
                problems()
                        .add(name + "=" + value
                                + " is not a duration (examples: 30s, 1500ms, 5m; a bare number is seconds)");
                return parseDuration(fallback);
            }
            Duration d = parseDuration(value);
            if (d.isZero()) {
                problems().add(name + " must be positive");
            }
            return d;
        }

        static Duration parseDuration(String value) {
            Matcher m = DURATION.matcher(value.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(value);
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "s" : m.group(2).toLowerCase(Locale.ROOT);
            return switch (unit) {
                case "ms" -> Duration.ofMillis(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofSeconds(n);
            };
        }

        long size(String name, String fallback, long min, long max) {
            String value = string(name, fallback);
            Matcher m = SIZE.matcher(value);
            if (!m.matches()) {
                problems().add(name + "=" + value + " is not a size (examples: 65536, 64KiB, 512MiB, 1g)");
                return parseSize(fallback);
            }
            long bytes = parseSize(value);
            if (bytes < min || bytes > max) {
                problems().add(name + "=" + value + " is outside " + min + ".." + max + " bytes");
                return parseSize(fallback);
            }
            return bytes;
        }

        static long parseSize(String value) {
            Matcher m = SIZE.matcher(value.strip());
            if (!m.matches()) {
                throw new IllegalArgumentException(value);
            }
            long n = Long.parseLong(m.group(1));
            int shift =
                    switch (m.group(2).toLowerCase(Locale.ROOT)) {
                        case "k" -> 10;
                        case "m" -> 20;
                        case "g" -> 30;
                        case "t" -> 40;
                        default -> 0;
                    };
            return n << shift;
        }
    }
}
