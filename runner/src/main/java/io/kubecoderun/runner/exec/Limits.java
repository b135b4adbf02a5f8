package io.kubecoderun.runner.exec;

/**
 * Resource limits for one user process tree. {@code addressSpaceBytes} 0 means no RLIMIT_AS (runtimes that reserve
 * large virtual ranges, or a cgroup already bounds memory); {@code maxProcesses} 0 means no RLIMIT_NPROC.
 */
public record Limits(
        long memoryBytes,
        int maxPids,
        long cpuSeconds,
        long fileSizeBytes,
        int openFiles,
        long addressSpaceBytes,
        int maxProcesses,
        long tmpBytes) {}
