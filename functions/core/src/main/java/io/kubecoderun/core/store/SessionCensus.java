package io.kubecoderun.core.store;

/**
 * The live sessions of a store at one moment, for the operator's gauges: how many there are, how many files they
 * list and those files' bytes (what downloads can still be asked for; objects kept after their session expired
 * are the bucket's lifecycle rule's business, not counted here).
 */
public record SessionCensus(long sessions, long files, long bytes) {}
