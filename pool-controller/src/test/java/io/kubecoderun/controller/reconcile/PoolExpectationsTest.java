package io.kubecoderun.controller.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.testing.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Creations and deletions in flight, per language. The failure the per-language keys pin: the reconciler kept one
 * set of deletions for every language and pruned it against the pods of whichever language it was reconciling, so
 * a JavaScript pod being deleted was forgotten during the Python pass and counted as a live pod again (and deleted
 * a second time) before its watch caught up.
 */
class PoolExpectationsTest {
    private final TestClock clock = new TestClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final PoolExpectations expectations = new PoolExpectations(clock, Duration.ofMinutes(2));

    @Test
    void aCreationCountsUntilThePlatformShowsIt() {
        expectations.expectCreation("py", "kcr-py-1");
        expectations.expectCreation("py", "kcr-py-2");
        assertEquals(2, expectations.creationsInFlight("py"));
        assertEquals(List.of(), expectations.observe("py", Set.of("kcr-py-1")));
        assertEquals(1, expectations.creationsInFlight("py"), "the one not yet shown still counts");
        assertEquals(0, expectations.creationsInFlight("js"));
    }

    @Test
    void aCreationNeverShownIsGivenUpAfterTheTimeout() {
        expectations.expectCreation("py", "kcr-py-1");
        clock.advance(Duration.ofMinutes(2));
        assertEquals(List.of(), expectations.observe("py", Set.of()), "not before the timeout has passed");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(List.of("kcr-py-1"), expectations.observe("py", Set.of()));
        assertEquals(0, expectations.creationsInFlight("py"));
    }

    @Test
    void aDeletionLastsUntilThePodIsGoneAndIsRecordedOnce() {
        assertTrue(expectations.expectDeletion("py", "kcr-py-1"));
        assertFalse(expectations.expectDeletion("py", "kcr-py-1"), "already being deleted");
        expectations.observe("py", Set.of("kcr-py-1"));
        assertTrue(expectations.deleting("py", "kcr-py-1"), "still listed: still being deleted");
        expectations.observe("py", Set.of());
        assertFalse(expectations.deleting("py", "kcr-py-1"));
    }

    @Test
    void anotherLanguagesPassLeavesADeletionInFlight() {
        expectations.expectDeletion("js", "kcr-js-1");
        expectations.expectCreation("js", "kcr-js-2");
        expectations.observe("py", Set.of("kcr-py-7"));
        assertEquals(Set.of("kcr-js-1"), expectations.deletionsInFlight("js"));
        assertEquals(1, expectations.creationsInFlight("js"));
    }
}
