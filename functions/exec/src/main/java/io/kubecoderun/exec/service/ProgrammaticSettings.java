package io.kubecoderun.exec.service;

import java.time.Duration;

/**
 * The limits of programmatic executions: how long a program may wait for tool results before it is stopped and its
 * sandbox released, how many tools a request may list, how large one tool result and all of an execution's results
 * together may be, and how many calls one execution may make.
 */
public record ProgrammaticSettings(
        Duration idleTimeout, int maxTools, long maxResultBytes, long maxHistoryBytes, int maxToolCalls) {

    public static ProgrammaticSettings defaults() {
        return new ProgrammaticSettings(Duration.ofMinutes(5), 100, 1 << 20, 16 << 20, 200);
    }
}
