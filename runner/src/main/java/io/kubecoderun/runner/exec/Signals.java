package io.kubecoderun.runner.exec;

import java.util.Map;

/**
 * Explains an exit status of 128 + N for the signals a program commonly dies of, since a segfaulting C program
 * otherwise leaves an empty stderr. Statuses that are rarely chosen by programs only; others stay unexplained.
 */
final class Signals {
    private static final Map<Integer, String> KNOWN = Map.of(
            4, "SIGILL (illegal instruction)",
            6, "SIGABRT (aborted)",
            7, "SIGBUS (bus error)",
            8, "SIGFPE (arithmetic error, such as an integer division by zero)",
            9, "SIGKILL (killed)",
            11, "SIGSEGV (segmentation fault: invalid memory access)",
            24, "SIGXCPU (CPU time limit exceeded)",
            25, "SIGXFSZ (file size limit exceeded)");

    private Signals() {}

    /** A sentence for {@code exitCode}, or null when it is not a known signal death. */
    static String describeExit(int exitCode) {
        String name = KNOWN.get(exitCode - 128);
        return name == null ? null : "Process terminated by signal " + (exitCode - 128) + ": " + name;
    }
}
