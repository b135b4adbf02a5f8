package io.kubecoderun.runner;

import java.util.logging.LogManager;

/**
 * A LogManager that does not close its handlers when the JVM begins to shut down. The JDK's own shutdown hook
 * resets logging concurrently with ours, so the lines an operator most needs (what was stopped, what failed to
 * clean up) would otherwise be lost. Logging is reset once the runner's shutdown has finished.
 */
public final class RunnerLogManager extends LogManager {
    private static volatile RunnerLogManager instance;

    public RunnerLogManager() {
        instance = this;
    }

    @Override
    public void reset() {
        // Ignored during shutdown; see shutdownComplete().
    }

    private void resetNow() {
        super.reset();
    }

    /** Flushes and closes the handlers after the runner's own shutdown. */
    static void shutdownComplete() {
        RunnerLogManager manager = instance;
        if (manager != null) {
            manager.resetNow();
        }
    }
}
