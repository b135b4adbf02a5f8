package io.kubecoderun.registry;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lease registry's contract, run against every implementation (in-memory and Redis), races included.
 * Deadlines are real time on the registry's clock, so timing-based tests use short TTLs and generous margins.
 */
@Timeout(60)
abstract class LeaseRegistryContract {
    static final Duration TTL = Duration.ofSeconds(30);
    static final Duration NO_WAIT = Duration.ZERO;

    LeaseRegistry registry;
    long epoch;
    private int podCounter;

    /** A fresh, empty registry for each test. */
    abstract LeaseRegistry newRegistry() throws Exception;

    @BeforeEach
    void setUp() throws Exception {
        registry = newRegistry();
        epoch = registry.takeLeadership();
    }

    @AfterEach
    void tearDown() {
        registry.close();
    }

    PodRef pod(String language) {
        int n = ++podCounter;
        return new PodRef(
                language,
                language + "-pod-" + n,
                "uid-" + n + "-" + System.nanoTime(),
                "127.0.0." + (n % 250 + 2),
                8080);
    }

    @Test
    void anOfferedPodIsLeasedOnceAndTheNextAcquireMisses() {
        PodRef pod = pod("py");
        assertEquals(OfferOutcome.IDLE, registry.offer(pod, epoch));
        Acquisition first = registry.acquire("py", TTL, NO_WAIT);
        assertEquals(Acquisition.Outcome.HIT, first.outcome());
        assertEquals(pod, first.lease().pod());
        assertTrue(first.lease().deadlineMs() > System.currentTimeMillis() + TTL.toMillis() - 5_000);
        Acquisition second = registry.acquire("py", TTL, NO_WAIT);
        assertEquals(Acquisition.Outcome.MISS, second.outcome());
        assertNull(second.lease());
        PoolStats stats = registry.stats("py");
        assertEquals(0, stats.idle());
        assertEquals(1, stats.leased());
        assertEquals(1, stats.hits());
        assertEquals(1, stats.misses());
        assertEquals(1, stats.offers());
    }

    @Test
    void controllerReportsReplaceTheGaugesAndAddUpTheCountsPerLanguage() {
        PoolStats before = registry.stats("py");
        assertEquals(-1, before.target(), "no report yet");
        assertEquals(-1, before.starting());
        assertEquals(0, before.podsCreated());
        registry.report("py", new ControllerReport(5, 3, 5, 0, 0));
        registry.report("py", new ControllerReport(4, 1, 2, 3, 1));
        registry.report("js", new ControllerReport(2, 2, 2, 0, 0));
        PoolStats py = registry.stats("py");
        assertEquals(4, py.target());
        assertEquals(1, py.starting());
        assertEquals(7, py.podsCreated());
        assertEquals(3, py.podsDeleted());
        assertEquals(1, py.coldStarts());
        assertEquals(2, registry.stats("js").podsCreated());
        assertEquals(0, registry.stats("go").podsCreated());
    }

    @Test
    void acquisitionTimesFromEveryCallerMergeIntoOneHistogramPerLanguage() throws Exception {
        for (int i = 0; i < 98; i++) {
            registry.recordAcquireTime("py", 400_000); // 0.4 ms
        }
        registry.recordAcquireTime("py", 12_000_000); // 12 ms
        registry.recordAcquireTime("py", 900_000_000); // 900 ms: the slowest 1%
        registry.recordAcquireTime("js", 5_000_000);
        // Recording is fire-and-forget on Redis: wait until all 100 arrived.
        await("all 100 recorded")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> registry.stats("py").acquire().count() >= 100);
        AcquireTimes py = registry.stats("py").acquire();
        assertEquals(100, py.count());
        assertEquals(0.4, py.percentileMs(0.5), 0.04, "p50 within a bucket's half-width");
        assertEquals(12, py.percentileMs(0.99), 1.2, "p99 is the 99th of 100");
        assertEquals(900, py.percentileMs(1.0), 90);
        assertEquals(1, registry.stats("js").acquire().count());
        assertTrue(Double.isNaN(registry.stats("go").acquire().percentileMs(0.5)), "no samples, no number");
    }

    @Test
    void poolsAreSeparatePerLanguageAndServeTheOldestOfferFirst() {
        PodRef py1 = pod("py");
        PodRef py2 = pod("py");
        PodRef js = pod("js");
        registry.offer(py1, epoch);
        registry.offer(js, epoch);
        registry.offer(py2, epoch);
        assertEquals(py1, registry.acquire("py", TTL, NO_WAIT).lease().pod());
        assertEquals(js, registry.acquire("js", TTL, NO_WAIT).lease().pod());
        assertEquals(py2, registry.acquire("py", TTL, NO_WAIT).lease().pod());
        assertFalse(registry.acquire("go", TTL, NO_WAIT).acquired());
    }

    @Test
    void offersAreIdempotentAndAnAlreadyLeasedPodIsNotOfferedAgain() {
        PodRef pod = pod("py");
        assertEquals(OfferOutcome.IDLE, registry.offer(pod, epoch));
        assertEquals(OfferOutcome.ALREADY_KNOWN, registry.offer(pod, epoch));
        assertEquals(1, registry.stats("py").idle());
        Lease lease = registry.acquire("py", TTL, NO_WAIT).lease();
        assertEquals(OfferOutcome.ALREADY_KNOWN, registry.offer(pod, epoch), "a leased pod offered again");
        assertFalse(registry.acquire("py", TTL, NO_WAIT).acquired(), "the leased pod must not become idle");
        assertTrue(registry.release(lease));
        assertEquals(OfferOutcome.ALREADY_KNOWN, registry.offer(pod, epoch), "a used pod offered again");
        assertFalse(registry.acquire("py", TTL, NO_WAIT).acquired(), "a used pod must never serve again");
    }

    @Test
    void aStaleControllerEpochIsRefused() {
        long newer = registry.takeLeadership();
        assertTrue(newer > epoch);
        assertEquals(OfferOutcome.IDLE, registry.offer(pod("py"), newer));
        assertEquals(OfferOutcome.STALE_EPOCH, registry.offer(pod("py"), epoch));
        assertEquals(1, registry.stats("py").idle());
    }

    @Test
    void releaseIsOwnerCheckedAndHappensOnce() {
        PodRef pod = pod("py");
        registry.offer(pod, epoch);
        Lease lease = registry.acquire("py", TTL, NO_WAIT).lease();
        Lease forged = new Lease("someone-else", pod, lease.deadlineMs());
        assertFalse(registry.release(forged), "release by a non-holder");
        assertEquals(1, registry.stats("py").leased());
        assertTrue(registry.release(lease));
        assertFalse(registry.release(lease), "double release");
        assertEquals(List.of(pod), registry.drainDone("py", 10));
        assertEquals(List.of(), registry.drainDone("py", 10), "the pod is queued for deletion once");
    }

    @Test
    void extendMovesTheDeadlineOnlyForTheHolder() throws Exception {
        PodRef pod = pod("py");
        registry.offer(pod, epoch);
        Lease lease = registry.acquire("py", Duration.ofMillis(600), NO_WAIT).lease();
        assertFalse(registry.extend(new Lease("forged", pod, lease.deadlineMs()), TTL));
        assertTrue(registry.extend(lease, TTL));
        Thread.sleep(900);
        assertEquals(List.of(), registry.reapExpired("py"), "the extended lease must not expire");
        assertTrue(registry.release(lease));
    }

    @Test
    void aLeaseThatExpiresWhileHeldIsReapedAndItsHolderCanNoLongerUseIt() throws Exception {
        PodRef pod = pod("py");
        registry.offer(pod, epoch);
        Lease lease = registry.acquire("py", Duration.ofMillis(300), NO_WAIT).lease();
        Thread.sleep(500);
        assertFalse(registry.extend(lease, TTL), "an expired lease cannot be extended");
        assertEquals(List.of(pod), registry.reapExpired("py"));
        assertEquals(List.of(), registry.reapExpired("py"));
        assertFalse(registry.release(lease), "the late holder's release is a no-op");
        assertEquals(List.of(pod), registry.drainDone("py", 10));
        PoolStats stats = registry.stats("py");
        assertEquals(1, stats.expired());
        assertEquals(0, stats.leased());
    }

    @Test
    void aWaiterGetsThePodOfferedWhileItWaits() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Acquisition> waiting = pool.submit(() -> registry.acquire("py", TTL, Duration.ofSeconds(10)));
            awaitWaiters("py", 1);
            PodRef pod = pod("py");
            assertEquals(OfferOutcome.HANDED_TO_WAITER, registry.offer(pod, epoch));
            Acquisition got = waiting.get();
            assertEquals(Acquisition.Outcome.WAIT_HIT, got.outcome());
            assertEquals(pod, got.lease().pod());
            assertEquals(0, registry.stats("py").idle());
            assertEquals(1, registry.stats("py").waitHits());
            assertTrue(registry.release(got.lease()), "a handed lease is held like any other");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aWaiterThatTimesOutIsAMissAndLaterOffersGoIdle() {
        Acquisition got = registry.acquire("py", TTL, Duration.ofMillis(300));
        assertEquals(Acquisition.Outcome.MISS, got.outcome());
        assertEquals(0, registry.stats("py").waiters());
        assertEquals(OfferOutcome.IDLE, registry.offer(pod("py"), epoch));
    }

    @Test
    void twoAcquirersRacingForOnePodGetItOnceBetweenThem() throws Exception {
        for (int round = 0; round < 30; round++) {
            registry.offer(pod("py"), epoch);
            List<Acquisition> results = race(2, () -> registry.acquire("py", TTL, NO_WAIT));
            long hits = results.stream().filter(Acquisition::acquired).count();
            assertEquals(1, hits, "round " + round + ": " + results);
        }
    }

    @Test
    void manyAcquirersAndOffersNeverShareAPod() throws Exception {
        int pods = 40;
        ExecutorService offerer = Executors.newSingleThreadExecutor();
        try {
            Future<?> offering = offerer.submit(() -> {
                for (int i = 0; i < pods; i++) {
                    registry.offer(pod("py"), epoch);
                }
            });
            List<Acquisition> results = race(pods + 10, () -> registry.acquire("py", TTL, Duration.ofMillis(3000)));
            offering.get();
            List<PodRef> leased = results.stream()
                    .filter(Acquisition::acquired)
                    .map(a -> a.lease().pod())
                    .toList();
            assertEquals(leased.size(), new HashSet<>(leased).size(), "a pod was leased twice");
            assertEquals(pods, leased.size() + registry.stats("py").idle(), "a pod was lost");
        } finally {
            offerer.shutdownNow();
        }
    }

    @RepeatedTest(15)
    void aWaiterTimingOutJustAsAPodIsOfferedEitherGetsItOrLeavesItIdle() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long wait = 250;
            Future<Acquisition> waiting = pool.submit(() -> registry.acquire("py", TTL, Duration.ofMillis(wait)));
            awaitWaiters("py", 1);
            Thread.sleep(wait - 15 + (System.nanoTime() % 30));
            PodRef pod = pod("py");
            OfferOutcome offered = registry.offer(pod, epoch);
            Acquisition got = waiting.get();
            long idle = registry.stats("py").idle();
            if (got.acquired()) {
                assertEquals(pod, got.lease().pod());
                assertEquals(OfferOutcome.HANDED_TO_WAITER, offered);
                assertEquals(0, idle);
            } else {
                assertEquals(OfferOutcome.IDLE, offered, "handed to a waiter that then reported a miss: lost pod");
                assertEquals(1, idle);
            }
            assertEquals(0, registry.stats("py").waiters());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJobRequestIsDeliveredRedeliveredIfUnacknowledgedAndGrantedToItsRequester() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Acquisition> waiting = pool.submit(() -> registry.acquireViaJob("f90", TTL, Duration.ofSeconds(10)));
            List<JobRequest> requests = awaitJobRequests("controller-a");
            assertEquals(1, requests.size());
            JobRequest request = requests.get(0);
            assertEquals("f90", request.language());
            assertTrue(request.deadlineMs() > System.currentTimeMillis());
            assertEquals(
                    List.of(),
                    registry.pendingJobRequests("controller-a", 10, Duration.ofMinutes(1)),
                    "delivered once while it is being handled");
            Thread.sleep(50);
            List<JobRequest> again = registry.pendingJobRequests("controller-b", 10, Duration.ofMillis(10));
            assertEquals(
                    List.of(request.id()),
                    again.stream().map(JobRequest::id).toList(),
                    "an unacknowledged request comes back for another controller");

            PodRef jobPod = pod("f90");
            assertEquals(OfferOutcome.HANDED_TO_WAITER, registry.offerTo(jobPod, epoch, request.id()));
            Acquisition got = waiting.get();
            assertEquals(Acquisition.Outcome.WAIT_HIT, got.outcome());
            assertEquals(jobPod, got.lease().pod());
            registry.acknowledge(again.get(0));
            assertEquals(List.of(), registry.pendingJobRequests("controller-b", 10, Duration.ofMillis(0)));
        } finally {
            pool.shutdownNow();
        }
    }

    /** The controller decides a request expired by the registry's clock, which stamped the deadline. */
    @Test
    void aJobRequestsDeadlineIsTheRegistrysClockPlusTheWait() throws Exception {
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            long before = registry.clockMillis();
            Future<Acquisition> waiting = pool.submit(() -> registry.acquireViaJob("r", TTL, Duration.ofSeconds(10)));
            JobRequest request = awaitJobRequests("controller-a").get(0);
            long after = registry.clockMillis();
            assertTrue(
                    request.deadlineMs() >= before + 10_000 && request.deadlineMs() <= after + 10_000,
                    before + " <= " + request.deadlineMs() + " - 10000 <= " + after);
            registry.offerTo(pod("r"), epoch, request.id()); // the waiter gets its pod and gives its connection back
            assertEquals(Acquisition.Outcome.WAIT_HIT, waiting.get().outcome());
            registry.acknowledge(request);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aJobPodWhoseRequesterGaveUpGoesIdle() {
        Acquisition got = registry.acquireViaJob("d", TTL, Duration.ofMillis(200));
        assertFalse(got.acquired());
        List<JobRequest> requests = registry.pendingJobRequests("c", 10, Duration.ofMinutes(1));
        assertEquals(1, requests.size());
        assertEquals(
                OfferOutcome.IDLE,
                registry.offerTo(pod("d"), epoch, requests.get(0).id()));
        assertTrue(registry.acquire("d", TTL, NO_WAIT).acquired());
    }

    @Test
    void forgettingAPodRemovesItFromEveryStateButOnlyForItsUid() {
        PodRef idle = pod("py");
        PodRef leased = pod("py");
        registry.offer(idle, epoch);
        registry.offer(leased, epoch);
        registry.acquire("py", TTL, NO_WAIT); // takes idle (oldest)
        Lease lease = registry.acquire("py", TTL, NO_WAIT).lease();
        assertEquals(leased, lease.pod());
        registry.forget(new PodRef("py", leased.name(), "another-uid", leased.ip(), leased.port()));
        assertEquals(2, registry.stats("py").leased(), "a different uid is a different pod");
        registry.forget(leased);
        assertEquals(1, registry.stats("py").leased());
        assertFalse(registry.release(lease), "the lease on a forgotten pod is gone");
        assertEquals(OfferOutcome.IDLE, registry.offer(pod("py"), epoch));
    }

    @Test
    void leasesAndReleasesAreAnnouncedToListenersWithTheirLanguage() throws Exception {
        java.util.concurrent.BlockingQueue<String> heard = new java.util.concurrent.LinkedBlockingQueue<>();
        Subscription subscription = registry.onLeaseChange(heard::add);
        Thread.sleep(100); // a subscription over the network settles
        registry.offer(pod("js"), epoch);
        Acquisition got = registry.acquire("js", TTL, NO_WAIT);
        assertTrue(got.acquired());
        assertEquals("js", heard.poll(5, java.util.concurrent.TimeUnit.SECONDS), "the lease");
        assertFalse(registry.release(
                new Lease("not-the-holder", got.lease().pod(), got.lease().deadlineMs())));
        assertTrue(registry.release(got.lease()));
        assertEquals("js", heard.poll(5, java.util.concurrent.TimeUnit.SECONDS), "the release");
        assertNull(
                heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS),
                "a refused release announces nothing: " + heard);

        subscription.close();
        subscription.close();
        registry.offer(pod("js"), epoch);
        assertTrue(registry.acquire("js", TTL, NO_WAIT).acquired());
        assertNull(heard.poll(300, java.util.concurrent.TimeUnit.MILLISECONDS), "closed: " + heard);
    }

    @Test
    void onlyAnIdlePodCanBeWithdrawn() {
        PodRef a = pod("py");
        PodRef b = pod("py");
        registry.offer(a, epoch);
        registry.offer(b, epoch);
        Lease lease = registry.acquire("py", TTL, NO_WAIT).lease();
        assertFalse(registry.withdraw(lease.pod()), "a leased pod must not be withdrawn for deletion");
        assertFalse(registry.withdraw(new PodRef("py", b.name(), "other-uid", b.ip(), b.port())));
        assertTrue(registry.withdraw(b));
        assertFalse(registry.acquire("py", TTL, NO_WAIT).acquired());
        assertEquals(java.util.Map.of(a.name(), PodState.LEASED), registry.podStates("py"));
    }

    @Test
    void podStatesFollowEveryTransition() {
        PodRef a = pod("py");
        PodRef b = pod("py");
        registry.offer(a, epoch);
        registry.offer(b, epoch);
        Lease lease = registry.acquire("py", TTL, NO_WAIT).lease();
        assertEquals(java.util.Map.of(a.name(), PodState.LEASED, b.name(), PodState.IDLE), registry.podStates("py"));
        registry.release(lease);
        assertEquals(PodState.DONE, registry.podStates("py").get(a.name()));
        registry.drainDone("py", 10);
        assertEquals(java.util.Map.of(b.name(), PodState.IDLE), registry.podStates("py"));
        assertEquals(java.util.Map.of(), registry.podStates("go"));
    }

    @Test
    void theInitializedMarkerTellsAFreshStoreApart() {
        assertFalse(registry.initialized());
        registry.markInitialized();
        assertTrue(registry.initialized());
    }

    private void awaitWaiters(String language, long count) {
        await(count + " waiting")
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(2))
                .until(() -> registry.stats(language).waiters() >= count);
        assertEquals(count, registry.stats(language).waiters());
    }

    /** The first non-empty delivery to {@code consumer} (each request is delivered once). */
    private List<JobRequest> awaitJobRequests(String consumer) {
        return await("a job request for " + consumer)
                .atMost(Duration.ofSeconds(5))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> registry.pendingJobRequests(consumer, 10, Duration.ofMinutes(1)), r -> !r.isEmpty());
    }

    /** Runs {@code n} copies of {@code task} released at the same instant. */
    static <T> List<T> race(int n, Callable<T> task) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger ready = new AtomicInteger();
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    ready.incrementAndGet();
                    start.await();
                    return task.call();
                }));
            }
            while (ready.get() < n) {
                Thread.onSpinWait();
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> f : futures) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    static Set<String> names(List<PodRef> pods) {
        Set<String> names = new HashSet<>();
        pods.forEach(p -> names.add(p.name()));
        return names;
    }
}
