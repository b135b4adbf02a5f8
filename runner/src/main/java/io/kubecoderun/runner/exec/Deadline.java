package io.kubecoderun.runner.exec;

import java.util.concurrent.TimeUnit;

/**
 * When a step is stopped, on {@link System#nanoTime()}'s clock. An ordinary execution's deadline is fixed; a
 * programmatic execution's moves: while its program waits on tool results the idle deadline applies, and each
 * continuation gives it a fresh run budget.
 */
public final class Deadline {
    private final boolean movable;
    private long at;

    private Deadline(long at, boolean movable) {
        this.at = at;
        this.movable = movable;
    }

    public static Deadline fixed(long atNanos) {
        return new Deadline(atNanos, false);
    }

    public static Deadline movable(long atNanos) {
        return new Deadline(atNanos, true);
    }

    /** Moves a movable deadline (waking the step's wait to look again). */
    public synchronized void moveTo(long atNanos) {
        if (!movable) {
            throw new IllegalStateException("a fixed deadline does not move");
        }
        at = atNanos;
        notifyAll();
    }

    public synchronized long atNanos() {
        return at;
    }

    /** Waits until {@code process} exits (true) or the deadline passes (false). */
    boolean awaitExit(Process process) throws InterruptedException {
        if (!movable) {
            return process.waitFor(Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        process.onExit().thenRun(this::wake);
        synchronized (this) {
            while (process.isAlive()) {
                long remaining = at - System.nanoTime();
                if (remaining <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            }
            return true;
        }
    }

    private synchronized void wake() {
        notifyAll();
    }
}
