package io.kubecoderun.registry;

/**
 * One sandbox lent to one request until {@code deadlineMs} (milliseconds since the epoch, on the registry's
 * clock: Redis {@code TIME}, never a client's). Only the holder of {@code id} may extend or release it.
 */
public record Lease(String id, PodRef pod, long deadlineMs) {}
