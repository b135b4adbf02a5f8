package io.kubecoderun.runner.exec;

import java.nio.file.Path;
import java.util.List;

/**
 * No confinement beyond rlimits: for the production pod, where the pod itself is the sandbox (single-use, no
 * network, no credentials, dropped capabilities). Paths are the host's own.
 */
public final class NoSandbox implements Sandbox {
    private final Path workdir;

    public NoSandbox(Path workdir) {
        this.workdir = workdir;
    }

    @Override
    public String name() {
        return "none";
    }

    @Override
    public String workdirView() {
        return workdir.toString();
    }

    @Override
    public String buildView(Path hostBuildDir) {
        return hostBuildDir.toString();
    }

    @Override
    public String toolsView(Path hostBuildDir) {
        return Sandbox.toolsDir(hostBuildDir).toString();
    }

    @Override
    public List<String> wrap(List<String> command, Path hostBuildDir, String cwdView, Limits limits) {
        return command;
    }

    @Override
    public Path hostCwd(String cwdView, Path hostWorkdir, Path hostBuildDir) {
        return Path.of(cwdView);
    }

    @Override
    public boolean killsTreeOnExit() {
        return false;
    }
}
