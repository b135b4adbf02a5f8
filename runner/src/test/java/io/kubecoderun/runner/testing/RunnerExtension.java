package io.kubecoderun.runner.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One packaged runner for a test class, started before its tests and stopped after them, in its own temporary
 * directory: {@code @RegisterExtension static RunnerExtension runner = RunnerExtension.sandboxed();}
 */
public final class RunnerExtension implements BeforeAllCallback, AfterAllCallback {
    private final Map<String, String> env;
    private Path base;
    private RunnerProcess process;

    private RunnerExtension(Map<String, String> env) {
        this.env = env;
    }

    /** A runner with the bubblewrap sandbox and the given extra environment. */
    public static RunnerExtension sandboxed(Map<String, String> extraEnv) {
        Map<String, String> env = new HashMap<>(extraEnv);
        env.put("RUNNER_SANDBOX", "bubblewrap");
        return new RunnerExtension(env);
    }

    public static RunnerExtension sandboxed() {
        return sandboxed(Map.of());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        base = Files.createTempDirectory("kcr-" + context.getRequiredTestClass().getSimpleName());
        process = RunnerProcess.start(base.resolve("runner"), env);
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        process.close();
        try (Stream<Path> paths = Files.walk(base)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }

    public RunnerProcess process() {
        return process;
    }

    public RunnerHttp client() {
        return process.client();
    }

    /** A scratch directory of the test class, outside the runner's working directory. */
    public Path temp() {
        return base;
    }
}
