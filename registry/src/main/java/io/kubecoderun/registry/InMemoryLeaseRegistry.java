package io.kubecoderun.registry;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The lease registry of the embedded default: one lock over plain collections, the same contract as the Redis
 * registry. Deadlines come from the injected clock.
 */
public final class InMemoryLeaseRegistry implements LeaseRegistry {

    private final Clock clock;
    private final Map<String, Pool> pools = new HashMap<>();
    private final LinkedHashMap<String, JobRequest> jobRequests = new LinkedHashMap<>();
    private final Map<String, Long> jobTaken = new HashMap<>();
    private long leaderEpoch;
    private final java.util.List<java.util.function.Consumer<String>> leaseListeners =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private boolean initialized;

    public InMemoryLeaseRegistry(Clock clock) {
        this.clock = clock;
    }

    public InMemoryLeaseRegistry() {
        this(Clock.systemUTC());
    }

    static final class Waiter {
        final String id;
        final long deadlineMs;
        final long ttlMs;
        final CompletableFuture<Lease> mailbox = new CompletableFuture<>();

        Waiter(String id, long deadlineMs, long ttlMs) {
            this.id = id;
            this.deadlineMs = deadlineMs;
            this.ttlMs = ttlMs;
        }
    }

    private static final class Pool {
        final ArrayDeque<String> idle = new ArrayDeque<>();
        final Map<String, PodRef> pods = new HashMap<>();
        final Map<String, String> state = new HashMap<>(); // name -> idle | leased:<id> | done
        final Map<String, String> leaseToPod = new HashMap<>();
        final Map<String, Long> deadlines = new HashMap<>();
        final LinkedHashMap<String, Waiter> waiters = new LinkedHashMap<>();
        final ArrayDeque<String> done = new ArrayDeque<>();
        long epoch;
        long hits;
        long waitHits;
        long misses;
        long offers;
        long expired;
        long target = -1;
        long starting = -1;
        long podsCreated;
        long podsDeleted;
        long coldStarts;
        final Map<Integer, Long> acquireBuckets = new HashMap<>();
    }

    private Pool pool(String language) {
        return pools.computeIfAbsent(language, l -> new Pool());
    }

    private long now() {
        return clock.millis();
    }

    @Override
    public OfferOutcome offer(PodRef pod, long epoch) {
        return offerTo(pod, epoch, null);
    }

    @Override
    public synchronized OfferOutcome offerTo(PodRef pod, long epoch, String requestId) {
        Pool pool = pool(pod.language());
        if (epoch < pool.epoch) {
            return OfferOutcome.STALE_EPOCH;
        }
        pool.epoch = epoch;
        if (pool.state.containsKey(pod.name())) {
            return OfferOutcome.ALREADY_KNOWN;
        }
        pool.pods.put(pod.name(), pod);
        pool.offers++;
        long now = now();
        if (requestId != null) {
            Waiter target = pool.waiters.remove(requestId);
            if (target != null && hand(pool, pod, target, now)) {
                return OfferOutcome.HANDED_TO_WAITER;
            }
        }
        Iterator<Waiter> it = pool.waiters.values().iterator();
        while (it.hasNext()) {
            Waiter waiter = it.next();
            it.remove();
            if (hand(pool, pod, waiter, now)) {
                return OfferOutcome.HANDED_TO_WAITER;
            }
        }
        pool.state.put(pod.name(), "idle");
        pool.idle.addLast(pod.name());
        return OfferOutcome.IDLE;
    }

    /** Leases {@code pod} to a live waiter; false (the waiter dropped) when its deadline has passed. */
    private boolean hand(Pool pool, PodRef pod, Waiter waiter, long now) {
        if (waiter.deadlineMs <= now) {
            return false;
        }
        Lease lease = grant(pool, pod, waiter.id, now + waiter.ttlMs);
        pool.waitHits++;
        waiter.mailbox.complete(lease);
        return true;
    }

    private Lease grant(Pool pool, PodRef pod, String leaseId, long deadline) {
        announce(pod.language());
        pool.state.put(pod.name(), "leased:" + leaseId);
        pool.leaseToPod.put(leaseId, pod.name());
        pool.deadlines.put(leaseId, deadline);
        return new Lease(leaseId, pod, deadline);
    }

    @Override
    public Acquisition acquire(String language, Duration leaseTtl, Duration maxWait) {
        return acquire(language, leaseTtl, maxWait, false);
    }

    @Override
    public Acquisition acquireViaJob(String language, Duration leaseTtl, Duration maxWait) {
        return acquire(language, leaseTtl, maxWait, true);
    }

    private Acquisition acquire(String language, Duration leaseTtl, Duration maxWait, boolean job) {
        Waiter waiter;
        synchronized (this) {
            Pool pool = pool(language);
            long now = now();
            while (!pool.idle.isEmpty()) {
                String name = pool.idle.pollFirst();
                if ("idle".equals(pool.state.get(name))) {
                    pool.hits++;
                    return new Acquisition(
                            Acquisition.Outcome.HIT,
                            grant(pool, pool.pods.get(name), UUID.randomUUID().toString(), now + leaseTtl.toMillis()));
                }
            }
            if (maxWait.isZero() || maxWait.isNegative()) {
                pool.misses++;
                return Acquisition.miss();
            }
            waiter = enqueueWaiter(language, leaseTtl, maxWait, job);
        }
        try {
            Lease lease = waiter.mailbox.get(maxWait.toMillis(), TimeUnit.MILLISECONDS);
            return new Acquisition(Acquisition.Outcome.WAIT_HIT, lease);
        } catch (TimeoutException | InterruptedException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            return cancel(language, waiter);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Registers a waiter (and, for a Job, its request); the next offer of the language may hand it a pod. */
    synchronized Waiter enqueueWaiter(String language, Duration leaseTtl, Duration maxWait, boolean job) {
        String id = UUID.randomUUID().toString();
        Waiter waiter = new Waiter(id, now() + maxWait.toMillis(), leaseTtl.toMillis());
        pool(language).waiters.put(id, waiter);
        if (job) {
            jobRequests.put(id, new JobRequest(id, language, waiter.deadlineMs, id));
        }
        return waiter;
    }

    /** Gives up waiting; if a pod was handed over meanwhile, it is taken after all. */
    synchronized Acquisition cancel(String language, Waiter waiter) {
        Pool pool = pool(language);
        if (pool.waiters.remove(waiter.id) != null) {
            pool.misses++;
            return Acquisition.miss();
        }
        Lease lease = waiter.mailbox.getNow(null);
        return lease == null ? Acquisition.miss() : new Acquisition(Acquisition.Outcome.WAIT_HIT, lease);
    }

    @Override
    public synchronized boolean extend(Lease lease, Duration ttl) {
        Pool pool = pool(lease.pod().language());
        Long deadline = pool.deadlines.get(lease.id());
        long now = now();
        if (deadline == null || deadline <= now || !lease.pod().name().equals(pool.leaseToPod.get(lease.id()))) {
            return false;
        }
        pool.deadlines.put(lease.id(), now + ttl.toMillis());
        return true;
    }

    @Override
    public synchronized boolean release(Lease lease) {
        Pool pool = pool(lease.pod().language());
        String name = pool.leaseToPod.get(lease.id());
        if (name == null || !name.equals(lease.pod().name())) {
            return false;
        }
        endLease(pool, lease.id(), name);
        announce(lease.pod().language());
        return true;
    }

    private void announce(String language) {
        for (java.util.function.Consumer<String> listener : leaseListeners) {
            listener.accept(language); // listeners only wake a thread; they must not call back in
        }
    }

    private static void endLease(Pool pool, String leaseId, String name) {
        pool.leaseToPod.remove(leaseId);
        pool.deadlines.remove(leaseId);
        pool.state.put(name, "done");
        pool.done.addLast(name);
    }

    @Override
    public synchronized List<PodRef> reapExpired(String language) {
        Pool pool = pool(language);
        long now = now();
        List<PodRef> reaped = new ArrayList<>();
        for (Map.Entry<String, Long> e : new ArrayList<>(pool.deadlines.entrySet())) {
            if (e.getValue() <= now) {
                String name = pool.leaseToPod.get(e.getKey());
                endLease(pool, e.getKey(), name);
                pool.expired++;
                reaped.add(pool.pods.get(name));
            }
        }
        return reaped;
    }

    @Override
    public synchronized List<PodRef> drainDone(String language, int max) {
        Pool pool = pool(language);
        List<PodRef> drained = new ArrayList<>();
        while (drained.size() < max && !pool.done.isEmpty()) {
            String name = pool.done.pollFirst();
            PodRef pod = pool.pods.remove(name);
            pool.state.remove(name);
            if (pod != null) {
                drained.add(pod);
            }
        }
        return drained;
    }

    @Override
    public synchronized boolean withdraw(PodRef pod) {
        Pool pool = pool(pod.language());
        PodRef known = pool.pods.get(pod.name());
        if (known == null || !known.uid().equals(pod.uid()) || !"idle".equals(pool.state.get(pod.name()))) {
            return false;
        }
        pool.state.remove(pod.name());
        pool.pods.remove(pod.name());
        pool.idle.remove(pod.name());
        return true;
    }

    @Override
    public synchronized void forget(PodRef pod) {
        Pool pool = pool(pod.language());
        PodRef known = pool.pods.get(pod.name());
        if (known == null || !known.uid().equals(pod.uid())) {
            return;
        }
        String state = pool.state.remove(pod.name());
        if (state != null && state.startsWith("leased:")) {
            String leaseId = state.substring("leased:".length());
            pool.leaseToPod.remove(leaseId);
            pool.deadlines.remove(leaseId);
        }
        pool.pods.remove(pod.name());
        pool.idle.remove(pod.name());
        pool.done.remove(pod.name());
    }

    @Override
    public synchronized long takeLeadership() {
        return ++leaderEpoch;
    }

    @Override
    public synchronized List<JobRequest> pendingJobRequests(String consumer, int max, Duration redeliverAfter) {
        long now = now();
        List<JobRequest> out = new ArrayList<>();
        for (JobRequest request : jobRequests.values()) {
            if (out.size() >= max) {
                break;
            }
            Long taken = jobTaken.get(request.id());
            if (taken == null || taken + redeliverAfter.toMillis() <= now) {
                jobTaken.put(request.id(), now);
                out.add(request);
            }
        }
        return out;
    }

    @Override
    public long clockMillis() {
        return now();
    }

    @Override
    public synchronized void acknowledge(JobRequest request) {
        jobRequests.remove(request.id());
        jobTaken.remove(request.id());
    }

    @Override
    public synchronized PoolStats stats(String language) {
        Pool pool = pool(language);
        return new PoolStats(
                pool.idle.size(),
                pool.leaseToPod.size(),
                pool.waiters.size(),
                pool.done.size(),
                pool.hits,
                pool.waitHits,
                pool.misses,
                pool.offers,
                pool.expired,
                pool.target,
                pool.starting,
                pool.podsCreated,
                pool.podsDeleted,
                pool.coldStarts,
                new AcquireTimes(pool.acquireBuckets));
    }

    @Override
    public synchronized void report(String language, ControllerReport report) {
        Pool pool = pool(language);
        pool.target = report.target();
        pool.starting = report.starting();
        pool.podsCreated += report.created();
        pool.podsDeleted += report.deleted();
        pool.coldStarts += report.coldStarts();
    }

    @Override
    public synchronized void recordAcquireTime(String language, long nanos) {
        pool(language).acquireBuckets.merge(AcquireTimes.bucket(nanos), 1L, Long::sum);
    }

    @Override
    public Subscription onLeaseChange(java.util.function.Consumer<String> listener) {
        leaseListeners.add(listener);
        return () -> leaseListeners.remove(listener);
    }

    @Override
    public synchronized Map<String, PodState> podStates(String language) {
        Map<String, PodState> states = new HashMap<>();
        pool(language).state.forEach((name, state) -> states.put(name, PodState.parse(state)));
        return states;
    }

    @Override
    public synchronized boolean initialized() {
        return initialized;
    }

    @Override
    public synchronized void markInitialized() {
        initialized = true;
    }

    @Override
    public void close() {
        // Nothing held outside the heap.
    }
}
