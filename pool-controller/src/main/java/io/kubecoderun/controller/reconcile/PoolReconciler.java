package io.kubecoderun.controller.reconcile;

import io.kubecoderun.runner.wire.RunnerClient;

import io.kubecoderun.controller.plan.Plan;
import io.kubecoderun.controller.plan.PlanInput;
import io.kubecoderun.controller.plan.PoolPlanner;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.plan.TokenBucket;
import io.kubecoderun.controller.platform.Platform;
import io.kubecoderun.controller.platform.SandboxPod;
import io.kubecoderun.registry.ControllerReport;
import io.kubecoderun.registry.JobRequest;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.registry.OfferOutcome;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.registry.PodState;
import io.kubecoderun.registry.Subscription;
import io.kubecoderun.runner.wire.RunnerStatus;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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

    private final Map<String, Instant> creating = new HashMap<>();
    private final Map<String, Instant> deleting = new HashMap<>();
    private final Map<String, Instant> orphans = new HashMap<>();
    private final Map<String, PodRef> offered = new HashMap<>();
    /** Job requests being served, by request id (a Job's pod carries the id as a label). */
    private final Map<String, JobRequest> jobs = new HashMap<>();
    /** Leased pods being deleted after use: they stopped counting toward the pool when they were leased. */
    private final java.util.Set<String> retired = new java.util.HashSet<>();
    /** Per language, what happened since the last report to the registry: pods created, deleted, Jobs served. */
    private final Map<String, long[]> unreported = new HashMap<>();
    /** Per language, the gauges last reported and when: unchanged ones are repeated only every REPORT_EVERY. */
    private final Map<String, long[]> lastReport = new HashMap<>();
    private static final int CREATED = 0;
    private static final int DELETED = 1;
    private static final int COLD_STARTS = 2;
    private static final Duration REPORT_EVERY = Duration.ofSeconds(30);
    /** Per language, since when its replacements have waited for running executions ({@link #refillWaits}). */
    private final Map<String, Instant> refillWaitingSince = new HashMap<>();
    private boolean firstPass = true;
    private Instant backoffUntil = Instant.MIN;
    private boolean warmupOnStartup = true;
    private boolean deposed;

    public PoolReconciler(Platform platform, LeaseRegistry registry, RunnerClient runners, Collection<PoolSpec> specs,
                          ReconcilerSettings settings, Clock clock, PoolMetrics metrics) {
        this.platform = platform;
        this.registry = registry;
        this.runners = runners;
        this.specs = List.copyOf(specs);
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
        this.bucket = new TokenBucket(clock, settings.createBurst(), settings.createsPerSecond());
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

    private void reconcile(PoolSpec spec) {
        String language = spec.language();
        Instant now = clock.instant();
        int expired = registry.reapExpired(language).size();
        if (expired > 0) {
            metrics.leaseExpiries.addAndGet(expired);
            LOG.info("event=leases_expired lang=" + language + " count=" + expired);
        }
        List<SandboxPod> pods = platform.pods(language);
        Map<String, SandboxPod> byName = new HashMap<>();
        pods.forEach(p -> byName.put(p.name(), p));

        for (PodRef done : registry.drainDone(language, settings.drainBatch())) {
            offered.remove(done.name());
            SandboxPod pod = byName.get(done.name());
            if (pod != null && pod.uid().equals(done.uid())) {
                retired.add(pod.name());
                delete(pod, "used");
            }
        }
        Map<String, PodState> states = registry.podStates(language);
        forgetVanished(language, byName, states);
        trackInFlight(byName, now);

        List<io.kubecoderun.controller.plan.ObservedPod> observed = new ArrayList<>();
        for (SandboxPod pod : pods) {
            PodState state = states.get(pod.name());
            if (pod.requestId() != null && state == null) {
                continue; // a Job's pod not offered yet belongs to its request, not to the pool
            }
            boolean leased = state == PodState.LEASED || state == PodState.DONE || orphans.containsKey(pod.name())
                    || retired.contains(pod.name());
            observed.add(pod.observed(leased));
        }
        int inFlightCreates = (int) creating.keySet().stream().filter(n -> n.startsWith(prefix(language))).count();
        PoolSpec effective = spec;
        if (!warmupOnStartup) {
            var stats = registry.stats(language);
            if (stats.hits() + stats.waitHits() + stats.misses() == 0) {
                effective = new PoolSpec(language, 0, spec.batch(), spec.notReadyGrace(), spec.maxAge());
            }
        }
        Plan plan = PoolPlanner.plan(new PlanInput(effective, observed, inFlightCreates, deleting.keySet(), now,
                bucket.available(), now.isBefore(backoffUntil)));

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
        int creates = refillWaits(language, states, now) ? 0 : plan.creates();
        for (int i = 0; i < creates; i++) {
            if (!create(language, null, now)) {
                break;
            }
        }
        offerReadyPods(pods, states, now);
        metrics.observe(language, spec.target(), registry.stats(language), observed, plan.held());
        long starting = observed.stream()
                .filter(p -> p.phase() == io.kubecoderun.controller.plan.ObservedPod.Phase.STARTING).count();
        report(language, effective.target(), starting, now);
    }

    /**
     * Whether this pass leaves {@code language}'s replacements for later: only where pods share the cores that
     * run executions, while an execution of the language runs and another pod is idle to serve the next request,
     * and for at most {@link ReconcilerSettings#refillDeferral()} from when that began. The release wakes the
     * controller, so the replacement starts as the execution ends instead of slowing it.
     */
    private boolean refillWaits(String language, Map<String, PodState> states, Instant now) {
        if (!platform.sharesCoresWithExecutions() || settings.refillDeferral().isZero()
                || !states.containsValue(PodState.LEASED) || !states.containsValue(PodState.IDLE)) {
            refillWaitingSince.remove(language);
            return false;
        }
        Instant since = refillWaitingSince.computeIfAbsent(language, l -> now);
        return Duration.between(since, now).compareTo(settings.refillDeferral()) < 0;
    }

    private void tally(String language, int what) {
        unreported.computeIfAbsent(language, l -> new long[3])[what]++;
    }

    /**
     * Tells the registry this pass's view of {@code language} (for {@code /metrics/pool} on any health replica).
     * Counts stay tallied until a report succeeds; unchanged gauges without new counts are repeated only every
     * {@link #REPORT_EVERY}, so quiet languages cost no Redis call per pass.
     */
    private void report(String language, long target, long starting, Instant now) {
        long[] counts = unreported.getOrDefault(language, new long[3]);
        long[] last = lastReport.get(language);
        boolean quiet = counts[CREATED] + counts[DELETED] + counts[COLD_STARTS] == 0;
        if (quiet && last != null && last[0] == target && last[1] == starting
                && now.toEpochMilli() - last[2] < REPORT_EVERY.toMillis()) {
            return;
        }
        registry.report(language, new ControllerReport(target, starting, counts[CREATED], counts[DELETED],
                counts[COLD_STARTS]));
        unreported.remove(language);
        lastReport.put(language, new long[] {target, starting, now.toEpochMilli()});
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

    private void trackInFlight(Map<String, SandboxPod> byName, Instant now) {
        creating.entrySet().removeIf(e -> {
            if (byName.containsKey(e.getKey())) {
                return true;
            }
            if (Duration.between(e.getValue(), now).compareTo(settings.inFlightTimeout()) > 0) {
                LOG.warning("event=create_not_observed pod=" + e.getKey() + " after=" + settings.inFlightTimeout());
                return true;
            }
            return false;
        });
        deleting.keySet().removeIf(name -> !byName.containsKey(name));
        orphans.keySet().removeIf(name -> !byName.containsKey(name));
        retired.removeIf(name -> !byName.containsKey(name));
    }

    private void offerReadyPods(List<SandboxPod> pods, Map<String, PodState> states, Instant now) {
        for (SandboxPod pod : pods) {
            if (pod.phase() != io.kubecoderun.controller.plan.ObservedPod.Phase.READY || !pod.addressable()
                    || states.containsKey(pod.name()) || deleting.containsKey(pod.name())) {
                continue;
            }
            Optional<RunnerStatus> status = runners.status(pod.ip(), pod.port());
            if (status.isEmpty()) {
                continue; // not answering yet; next pass
            }
            RunnerStatus s = status.get();
            if (!s.podUid().isEmpty() && !s.podUid().equals(pod.uid())) {
                LOG.warning("event=uid_mismatch pod=" + pod.name() + " expected=" + pod.uid() + " runner=" + s.podUid());
                continue;
            }
            if (s.claimed() || s.used()) {
                // Claimed but unknown to the registry: leased before the registry lost its data. Leave it to its
                // holder for a while, then delete it: a used sandbox never serves again.
                Instant first = orphans.computeIfAbsent(pod.name(), n -> now);
                if (Duration.between(first, now).compareTo(settings.orphanGrace()) > 0) {
                    delete(pod, "orphan");
                }
                continue;
            }
            JobRequest request = pod.requestId() == null ? null : jobs.get(pod.requestId());
            OfferOutcome outcome = request == null ? registry.offer(pod.ref(), epoch)
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
                tally(pod.language(), COLD_STARTS);
            }
        }
    }

    private void serveJobRequests() {
        long nowMs = clock.millis();
        for (JobRequest request : registry.pendingJobRequests(settings.consumerId(), settings.drainBatch(),
                settings.jobRedelivery())) {
            if (request.deadlineMs() <= nowMs) {
                registry.acknowledge(request); // its requester has stopped waiting
                continue;
            }
            try {
                String name = platform.create(request.language(), request.id());
                jobs.put(request.id(), request);
                metrics.podsCreated.incrementAndGet();
                tally(request.language(), CREATED);
                LOG.info("event=job_created lang=" + request.language() + " pod=" + name + " request=" + request.id());
            } catch (Platform.PlatformException e) {
                onPlatformFailure("create_job", e);
            }
        }
    }

    private boolean create(String language, String requestId, Instant now) {
        try {
            String name = platform.create(language, requestId);
            creating.put(name, now);
            bucket.take(1);
            metrics.podsCreated.incrementAndGet();
            tally(language, CREATED);
            return true;
        } catch (Platform.PlatformException e) {
            onPlatformFailure("create", e);
            return false;
        }
    }

    private void delete(SandboxPod pod, String reason) {
        if (deleting.containsKey(pod.name())) {
            return;
        }
        try {
            platform.delete(pod);
            deleting.put(pod.name(), clock.instant());
            orphans.remove(pod.name());
            metrics.deleted(reason);
            tally(pod.language(), DELETED);
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

    /** Pool pods are named {@code kcr-<lang>-...}; see the platforms. */
    public static String prefix(String language) {
        return "kcr-" + language + "-";
    }
}
