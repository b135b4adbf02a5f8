package io.kubecoderun.controller.reconcile;

import io.kubecoderun.controller.plan.ObservedPod;
import io.kubecoderun.controller.plan.Plan;
import io.kubecoderun.controller.plan.PlanInput;
import io.kubecoderun.controller.plan.PoolPlanner;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.plan.TokenBucket;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.registry.JobRequest;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.OfferOutcome;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.registry.PodState;
import io.kubecoderun.registry.Subscription;
import io.kubecoderun.runner.wire.RunnerClient;
import io.kubecoderun.runner.wire.RunnerStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * One reconcile pass over every language: observe (platform pods, registry states) → plan ({@link PoolPlanner}) →
 * act (create, delete, offer). Also drains released and expired leases into deletions and serves Job requests.
 * Not thread-safe: {@link PoolController} runs it on one thread.
 */
public final class PoolReconciler {
    private static final Logger LOG = Logger.getLogger(PoolReconciler.class.getName());

    private final Platform platform;
    private final LeaseRegistry registry;
    private final RunnerClient runners;
    private final Collection<PoolSpec> specs;
    private final ReconcilerSettings settings;
    private final Clock clock;
    private final TokenBucket bucket;
    private final PoolMetrics metrics;
    private final long epoch;

    /** Creations and deletions asked for and not yet seen, per language. */
    private final PoolExpectations expectations;
    /** Pods offered to the registry, by name (so they can be withdrawn or forgotten). */
    private final Map<String, PodRef> offered = new HashMap<>();
    /** Job requests whose Job was created, by request id (a Job's pod carries the id as a label). */
    private final Map<String, JobRequest> jobs = new HashMap<>();
    /** Job requests taken from the registry and not started yet, oldest first (see serveJobRequests). */
    private final Map<String, JobRequest> queuedJobs = new java.util.LinkedHashMap<>();

    private final Map<String, LanguageState> languages = new HashMap<>();
    private final PoolReports reports;
    private boolean firstPass = true;
    private Instant backoffUntil = Instant.MIN;
    private boolean warmupOnStartup = true;
    private boolean deposed;

    /** What a pass remembers of one language for the next. */
    private static final class LanguageState {
        /** Claimed pods the registry does not know (leased before it lost its data), and since when. */
        final Map<String, Instant> orphans = new HashMap<>();
        /** Leased pods being deleted after use: they stopped counting toward the pool when they were leased. */
        final Set<String> retired = new HashSet<>();
        /** Since when this language's replacements have waited for running executions (see the planner). */
        Instant refillWaitingSince;

        /** Forgets pods the platform no longer shows. */
        void settle(Set<String> present) {
            orphans.keySet().retainAll(present);
            retired.retainAll(present);
        }
    }

    public PoolReconciler(
            Platform platform,
            LeaseRegistry registry,
            RunnerClient runners,
            Collection<PoolSpec> specs,
            ReconcilerSettings settings,
            Clock clock,
            PoolMetrics metrics) {
        this.platform = platform;
        this.registry = registry;
        this.runners = runners;
        this.specs = List.copyOf(specs);
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.bucket = new TokenBucket(clock, settings.createBurst(), settings.createsPerSecond());
        this.expectations = new PoolExpectations(clock, settings.inFlightTimeout());
        this.reports = new PoolReports(registry);
        this.epoch = registry.takeLeadership();
        LOG.info("event=leadership epoch=" + epoch + " platform=" + platform.name());
    }

    /**
     * With {@code false}, a language's pool stays empty until the registry has seen a first request for it
     * ({@code POD_POOL_WARMUP_ON_STARTUP=false}): no warm pods for languages nobody uses.
     */
    public PoolReconciler warmupOnStartup(boolean warmup) {
        this.warmupOnStartup = warmup;
        return this;
    }

    /**
     * Calls {@code wake} whenever a pass would find something to do before the next periodic one: a lease begun
     * or ended (registry), a pod ready, failed or gone (platform). Close both subscriptions when done.
     */
    public List<Subscription> subscribe(Runnable wake) {
        Subscription leases = registry.onLeaseChange(language -> wake.run());
        try {
            return List.of(leases, platform.onPodsChanged(wake));
        } catch (RuntimeException e) {
            leases.close();
            throw e;
        }
    }

    /** False once the registry refused an offer for a stale epoch: another controller leads now. */
    public boolean leading() {
        return !deposed;
    }

    public void reconcileAll() {
        if (deposed) {
            return;
        }
        if (!registry.initialized()) {
            // A fresh or emptied registry: everything it knew is gone; the offers below rebuild it from the pods.
            if (firstPass) {
                LOG.info("event=registry_initialized detail=\"offering the pods that exist\"");
            } else {
                LOG.warning("event=registry_rebuild reason=\"initialized marker missing: Redis lost its data\"");
            }
            offered.clear();
            registry.markInitialized();
            if (!firstPass) {
                metrics.registryRepairs.incrementAndGet(); // lost while we ran; a fresh store at start is not a repair
            }
        }
        firstPass = false;
        serveJobRequests();
        for (PoolSpec spec : specs) {
            reconcile(spec);
        }
    }

    /** One language: observe (registry and platform), plan, act, report. */
    private void reconcile(PoolSpec spec) {
        String language = spec.language();
        LanguageState memory = languages.computeIfAbsent(language, l -> new LanguageState());
        Instant now = clock.instant();
        reapExpired(language);
        Map<String, SandboxPod> byName = new HashMap<>();
        platform.pods(language).forEach(p -> byName.put(p.name(), p));
        deleteReleased(language, byName, memory);
        Map<String, PodState> states = registry.podStates(language);
        forgetVanished(language, byName, states);
        settle(language, byName.keySet(), memory);

        List<ObservedPod> observed = observe(byName.values(), states, memory);
        var stats = registry.stats(language);
        Plan plan = PoolPlanner.plan(new PlanInput(
                spec,
                observed,
                expectations.creationsInFlight(language),
                expectations.deletionsInFlight(language),
                now,
                bucket.available(),
                now.isBefore(backoffUntil),
                new PlanInput.Demand(warmupOnStartup, stats.hits() + stats.waitHits() + stats.misses() > 0),
                new PlanInput.Refill(
                        platform.sharesCoresWithExecutions(),
                        settings.refillDeferral(),
                        states.containsValue(PodState.LEASED),
                        states.containsValue(PodState.IDLE),
                        memory.refillWaitingSince)));
        memory.refillWaitingSince = plan.refillWaitingSince();

        deletePlanned(plan, byName, states);
        for (int i = 0; i < plan.creates(); i++) {
            if (!create(language)) {
                break; // a platform failure ends the batch (and a transient one backs off)
            }
        }
        offerReadyPods(byName.values(), states, memory, now);
        metrics.observe(language, spec.target(), registry.stats(language), observed, plan.held());
        reports.report(
                language,
                plan.target(),
                observed.stream()
                        .filter(p -> p.phase() == ObservedPod.Phase.STARTING)
                        .count(),
                now);
    }

    private void reapExpired(String language) {
        int expired = registry.reapExpired(language).size();
        if (expired > 0) {
            metrics.leaseExpiries.addAndGet(expired);
            LOG.info("event=leases_expired lang=" + language + " count=" + expired);
        }
    }

    /** Released and expired leases' pods: deleted, with a uid precondition (a recreated name is another pod). */
    private void deleteReleased(String language, Map<String, SandboxPod> byName, LanguageState memory) {
        for (PodRef done : registry.drainDone(language, settings.drainBatch())) {
            offered.remove(done.name());
            SandboxPod pod = byName.get(done.name());
            if (pod != null && pod.uid().equals(done.uid())) {
                memory.retired.add(pod.name());
                delete(pod, "used");
            }
        }
    }

    /** The pool as the planner sees it: a pod is leased while the registry or this controller says it is used. */
    private static List<ObservedPod> observe(
            Collection<SandboxPod> pods, Map<String, PodState> states, LanguageState memory) {
        List<ObservedPod> observed = new ArrayList<>();
        for (SandboxPod pod : pods) {
            PodState state = states.get(pod.name());
            if (pod.requestId() != null && state == null) {
                continue; // a Job's pod not offered yet belongs to its request, not to the pool
            }
            boolean leased = state == PodState.LEASED
                    || state == PodState.DONE
                    || memory.orphans.containsKey(pod.name())
                    || memory.retired.contains(pod.name());
            observed.add(pod.observed(leased));
        }
        return observed;
    }

    private void deletePlanned(Plan plan, Map<String, SandboxPod> byName, Map<String, PodState> states) {
        for (Plan.Deletion deletion : plan.deletions()) {
            SandboxPod pod = byName.get(deletion.name());
            if (pod == null) {
                continue;
            }
            PodRef ref = offered.get(pod.name());
            if (deletion.reason() == Plan.Reason.FAILED) {
                if (ref != null) {
                    registry.forget(ref); // dead: never hand it out again; a lease on it is void
                }
            } else if (states.get(pod.name()) == PodState.IDLE && ref != null && !registry.withdraw(ref)) {
                continue; // leased between observing and acting: it is in use, leave it
            }
            offered.remove(pod.name());
            delete(pod, deletion.reason().name().toLowerCase(java.util.Locale.ROOT));
        }
    }

    private void forgetVanished(String language, Map<String, SandboxPod> byName, Map<String, PodState> states) {
        for (String name : states.keySet()) {
            PodRef ref = offered.get(name);
            if (!byName.containsKey(name) && ref != null) {
                registry.forget(ref); // killed or evicted: its lease, if any, is void
                offered.remove(name);
                LOG.info("event=pod_vanished lang=" + language + " pod=" + name + " state=" + states.get(name));
            }
        }
    }

    /** Settles what was asked for against what the platform shows now. */
    private void settle(String language, Set<String> present, LanguageState memory) {
        for (String name : expectations.observe(language, present)) {
            LOG.warning("event=create_not_observed pod=" + name + " after=" + settings.inFlightTimeout());
        }
        memory.settle(present);
    }

    private void offerReadyPods(
            Collection<SandboxPod> pods, Map<String, PodState> states, LanguageState memory, Instant now) {
        for (SandboxPod pod : pods) {
            if (pod.phase() != ObservedPod.Phase.READY
                    || !pod.addressable()
                    || states.containsKey(pod.name())
                    || expectations.deleting(pod.language(), pod.name())) {
                continue;
            }
            Optional<RunnerStatus> status = runners.status(pod.ip(), pod.port());
            if (status.isEmpty()) {
                continue; // not answering yet; next pass
            }
            RunnerStatus s = status.get();
            if (!s.podUid().isEmpty() && !s.podUid().equals(pod.uid())) {
                LOG.warning(
                        "event=uid_mismatch pod=" + pod.name() + " expected=" + pod.uid() + " runner=" + s.podUid());
                continue;
            }
            if (s.claimed() || s.used()) {
                // Claimed but unknown to the registry: leased before the registry lost its data. Leave it to its
                // holder for a while, then delete it: a used sandbox never serves again.
                Instant first = memory.orphans.computeIfAbsent(pod.name(), n -> now);
                if (Duration.between(first, now).compareTo(settings.orphanGrace()) > 0) {
                    delete(pod, "orphan");
                }
                continue;
            }
            JobRequest request = pod.requestId() == null ? null : jobs.get(pod.requestId());
            OfferOutcome outcome = request == null
                    ? registry.offer(pod.ref(), epoch)
                    : registry.offerTo(pod.ref(), epoch, request.id());
            if (outcome == OfferOutcome.STALE_EPOCH) {
                deposed = true;
                LOG.warning("event=deposed epoch=" + epoch + " detail=\"a newer controller leads; stopping\"");
                return;
            }
            offered.put(pod.name(), pod.ref());
            metrics.refilled(Duration.between(pod.createdAt(), now).toMillis());
            if (request != null) {
                registry.acknowledge(request);
                jobs.remove(request.id());
                metrics.coldStarts.incrementAndGet();
                reports.coldStart(pod.language());
            }
        }
    }

    /**
     * Starts a Job for each request still waited for, as many as the rate limiter grants and none during a
     * back-off, like pool pods. Requests taken from the registry but not started yet (paced, or their creation
     * failed) wait here, oldest first: the registry would hand them out again only after the redelivery delay.
     * Requests whose requester stopped waiting are acknowledged and dropped.
     */
    private void serveJobRequests() {
        for (JobRequest request :
                registry.pendingJobRequests(settings.consumerId(), settings.drainBatch(), settings.jobRedelivery())) {
            if (!jobs.containsKey(request.id())) {
                queuedJobs.putIfAbsent(request.id(), request);
            }
        }
        if (queuedJobs.isEmpty()) {
            return;
        }
        long nowMs = registry.clockMillis(); // deadlines are stamped on the registry's clock, not ours
        queuedJobs.values().removeIf(request -> {
            boolean expired = request.deadlineMs() <= nowMs;
            if (expired) {
                registry.acknowledge(request);
            }
            return expired;
        });
        int start = PoolPlanner.jobsToStart(
                queuedJobs.size(), bucket.available(), clock.instant().isBefore(backoffUntil));
        for (JobRequest request : List.copyOf(queuedJobs.values()).subList(0, start)) {
            try {
                String name = platform.create(request.language(), request.id());
                bucket.take(1);
                queuedJobs.remove(request.id());
                jobs.put(request.id(), request);
                metrics.podsCreated.incrementAndGet();
                reports.created(request.language());
                LOG.info("event=job_created lang=" + request.language() + " pod=" + name + " request=" + request.id());
            } catch (Platform.PlatformException e) {
                onPlatformFailure("create_job", e);
                return;
            }
        }
    }

    private boolean create(String language) {
        try {
            String name = platform.create(language, null);
            expectations.expectCreation(language, name);
            bucket.take(1);
            metrics.podsCreated.incrementAndGet();
            reports.created(language);
            return true;
        } catch (Platform.PlatformException e) {
            onPlatformFailure("create", e);
            return false;
        }
    }

    private void delete(SandboxPod pod, String reason) {
        if (expectations.deleting(pod.language(), pod.name())) {
            return;
        }
        try {
            platform.delete(pod);
            expectations.expectDeletion(pod.language(), pod.name());
            languages
                    .computeIfAbsent(pod.language(), l -> new LanguageState())
                    .orphans
                    .remove(pod.name());
            metrics.deleted(reason);
            reports.deleted(pod.language());
        } catch (Platform.PlatformException e) {
            onPlatformFailure("delete", e);
        }
    }

    private void onPlatformFailure(String action, Platform.PlatformException e) {
        if (e.transientFailure()) {
            backoffUntil = clock.instant().plus(settings.backoff());
        }
        LOG.warning("event=platform_failure action=" + action + " transient=" + e.transientFailure() + " error="
                + e.getMessage());
    }
}
