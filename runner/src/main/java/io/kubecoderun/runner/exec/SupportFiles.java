package io.kubecoderun.runner.exec;

import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The runner-owned files a language needs next to the user's source (the Python state wrapper, the TypeScript
 * globals), read from the jar once and copied into each build directory: a copy, never a link, since user code
 * may write to its build directory.
 *
 * <p>The Python wrapper is compiled to bytecode once at start-up by the very interpreter the sandbox runs, saving
 * the compile on every execution (about 1 ms of a 20 ms hello world); if that fails the source is used.
 */
public final class SupportFiles {
    private static final Logger LOG = Logger.getLogger(SupportFiles.class.getName());
    private static final String RESOURCE_DIR = "/io/kubecoderun/runner/";
    static final String PYTHON_WRAPPER = "kcr_python.py";
    private static final long COMPILE_TIMEOUT_SECONDS = 30;

    /** File name in the build directory → content. */
    private final Map<String, byte[]> files = new HashMap<>();

    private String pythonWrapper = PYTHON_WRAPPER;

    private SupportFiles() {}

    public static SupportFiles prepare(Path workDir) throws IOException {
        SupportFiles support = new SupportFiles();
        for (Language language : Languages.all()) {
            for (Map.Entry<String, String> entry : language.supportFiles().entrySet()) {
                support.files.put(entry.getValue(), resource(entry.getKey()));
            }
        }
        support.compilePythonWrapper(workDir);
        return support;
    }

    private void compilePythonWrapper(Path workDir) throws IOException {
        Path python = Tools.which("python3").orElse(null);
        if (python == null) {
            return;
        }
        Files.createDirectories(workDir);
        Path source = workDir.resolve(PYTHON_WRAPPER);
        Path compiled = workDir.resolve(PYTHON_WRAPPER + "c");
        Files.write(source, files.get(PYTHON_WRAPPER));
        Process p = new ProcessBuilder(List.of(
                        python.toString(),
                        "-I",
                        "-c",
                        "import py_compile, sys; py_compile.compile(sys.argv[1], cfile=sys.argv[2], doraise=True)",
                        source.toString(),
                        compiled.toString()))
                .redirectErrorStream(true)
                .start();
        String output = new String(p.getInputStream().readAllBytes());
        try {
            if (p.waitFor(COMPILE_TIMEOUT_SECONDS, TimeUnit.SECONDS) && p.exitValue() == 0) {
                files.put(PYTHON_WRAPPER + "c", Files.readAllBytes(compiled));
                pythonWrapper = PYTHON_WRAPPER + "c";
            } else {
                LOG.warning("event=python_wrapper_not_compiled detail=\"" + output.strip() + "\"");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            Files.deleteIfExists(source);
            Files.deleteIfExists(compiled);
        }
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = SupportFiles.class.getResourceAsStream(RESOURCE_DIR + name)) {
            if (in == null) {
                throw new IllegalStateException("runner resource missing: " + name);
            }
            return in.readAllBytes();
        }
    }

    /** The wrapper's file name in a build directory (compiled when possible). */
    public String pythonWrapper() {
        return pythonWrapper;
    }

    /** Writes the files {@code language} needs into {@code build}. */
    void copyInto(Language language, Path build) throws IOException {
        for (String name : language.supportFiles().values()) {
            Files.write(build.resolve(name), files.get(name));
            if (name.equals(PYTHON_WRAPPER) && !pythonWrapper.equals(PYTHON_WRAPPER)) {
                Files.write(build.resolve(pythonWrapper), files.get(pythonWrapper));
            }
        }
    }
}
