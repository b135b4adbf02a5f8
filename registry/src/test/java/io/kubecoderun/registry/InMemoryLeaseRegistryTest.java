package io.kubecoderun.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The contract against the embedded default's registry. */
class InMemoryLeaseRegistryTest extends LeaseRegistryContract {

    @Override
    LeaseRegistry newRegistry() {
        return new InMemoryLeaseRegistry();
    }

    /** As in the Redis test of the same name: the hand-over lands between the waiter's timeout and its cancel. */
    @Test
    void aCancelAfterTheHandOverReturnsTheLeaseInsteadOfLosingThePod() {
        InMemoryLeaseRegistry memory = (InMemoryLeaseRegistry) registry;
        InMemoryLeaseRegistry.Waiter waiter = memory.enqueueWaiter("py", TTL, Duration.ofMinutes(1), false);
        PodRef pod = pod("py");
        assertEquals(OfferOutcome.HANDED_TO_WAITER, registry.offer(pod, epoch));
        Acquisition got = memory.cancel("py", waiter);
        assertEquals(Acquisition.Outcome.WAIT_HIT, got.outcome());
        assertEquals(pod, got.lease().pod());
    }
}
