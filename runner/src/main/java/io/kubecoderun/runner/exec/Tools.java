package io.kubecoderun.runner.exec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Helper programs the runner starts by absolute path, never through its own PATH. */
public final class Tools {
    /** util-linux prlimit: sets rlimits on the command it execs (Essential in Debian, so in every image). */
    public static final String PRLIMIT = "/usr/bin/prlimit";
    /** The shell used to join an execution's cgroup before exec'ing the sandbox. */
    public static final String SH = "/bin/sh";
    /** coreutils mkfifo: the control pipe of a warm Python interpreter (Essential in Debian). */
    public static final String MKFIFO = "/usr/bin/mkfifo";

    private Tools() {}

    /** Finds a program in the directories of the sandbox PATH. */
    public static Optional<Path> which(String program) {
        if (program.startsWith("/")) {
            return Files.isExecutable(Path.of(program)) ? Optional.of(Path.of(program)) : Optional.empty();
        }
        for (String dir : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }
}
