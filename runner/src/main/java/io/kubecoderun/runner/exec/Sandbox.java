package io.kubecoderun.runner.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * How a user command is confined. Implementations decide where the working and build directories appear to the
 * user's program and wrap the command accordingly; the executor never builds sandbox arguments itself.
 */
public interface Sandbox {

    String name();

    /** The working directory as the user's program sees it. */
    String workdirView();

    /** Where the execution's build directory (source, support files, state) appears to the program. */
    String buildView(Path hostBuildDir);

    /**
     * The host directory of a programmatic execution's tool channel: next to its build directory, not in it, so that
     * the sandbox can mount it on its own (a mount point the program cannot rename or replace with a link).
     */
    static Path toolsDir(Path hostBuildDir) {
        return hostBuildDir.resolveSibling(hostBuildDir.getFileName() + "-tools");
    }

    /** Where {@link #toolsDir} appears to the program. */
    String toolsView(Path hostBuildDir);

    /**
     * The argv that runs {@code command} confined, in the given current directory (a view path); rlimits are
     * already set by the launcher in front of it. {@code hostBuildDir} is the build directory on the runner's side.
     */
    List<String> wrap(List<String> command, Path hostBuildDir, String cwdView, Limits limits);

    /** The host directory a process of this sandbox should be started in. */
    Path hostCwd(String cwdView, Path hostWorkdir, Path hostBuildDir);

    /** Whether leaving the sandbox's main process kills all it started (a pid namespace does). */
    boolean killsTreeOnExit();
}
