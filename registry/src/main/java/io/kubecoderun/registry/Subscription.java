package io.kubecoderun.registry;

/** A registered listener; closing the subscription stops the calls (closing twice is harmless). */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    @Override
    void close();
}
