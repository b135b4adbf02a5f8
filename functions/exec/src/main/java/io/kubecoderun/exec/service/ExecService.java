package io.kubecoderun.exec.service;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ContentTypes;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.ids.FileNames;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.core.state.StateCodec;
import io.kubecoderun.core.state.StateStore;
import io.kubecoderun.core.state.StoredState;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.FileStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.SessionStore;
import io.kubecoderun.core.store.StoreException;
import io.kubecoderun.core.store.StoredObject;
import io.kubecoderun.registry.Acquisition;
import io.kubecoderun.registry.DependencyUnavailableException;
import io.kubecoderun.registry.Lease;
import io.kubecoderun.registry.LeaseRegistry;
import io.kubecoderun.runner.lang.Language;
import io.kubecoderun.runner.lang.Languages;
import io.kubecoderun.runner.wire.ExecuteRequest;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.FileEntry;
import io.kubecoderun.runner.wire.RunnerClient;
import io.kubecoderun.runner.wire.RunnerStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.logging.Logger;

/**
 * One execution end to end: resolve the caller's session, lease a sandbox (warm, else a Job), claim it, move
 * the inputs and the Python state in, run, move created and changed files and the new state out, release. The
 * lease is released on every path; a sandbox that cannot be reached is released and another leased.
 */
public final class ExecService {
    private static final Logger LOG = Logger.getLogger(ExecService.class.getName());

    private final LeaseRegistry registry;
    private final SessionStore sessions;
    private final FileStore files;
    private final StateStore states;
    private final RunnerClient runners;
    private final ExecSettings settings;
    private final ExecObserver observer;

    public ExecService(
            LeaseRegistry registry,
            SessionStore sessions,
            FileStore files,
            StateStore states,
            RunnerClient runners,
            ExecSettings settings,
            ExecObserver observer) {
        this.registry = registry;
        this.sessions = sessions;
        this.files = files;
        this.states = states;
        this.runners = runners;
        this.settings = settings;
        this.observer = observer;
    }

    public ExecService(
            LeaseRegistry registry,
            SessionStore sessions,
            FileStore files,
            StateStore states,
            RunnerClient runners,
            ExecSettings settings) {
        this(registry, sessions, files, states, runners, settings, ExecObserver.NONE);
    }

    public ExecResult execute(Principal principal, ExecRequest request) {
        return execute(principal, request, Cancellation.none());
    }

    /** As above; {@code cancellation} stops the execution (and releases its sandbox) when the caller goes away. */
    public ExecResult execute(Principal principal, ExecRequest request, Cancellation cancellation) {
        long start = System.nanoTime();
        String language = "invalid";
        String status = "internal";
        try {
            Language known = validate(request);
            language = known.id();
            ExecResult result = run(principal, request, known, cancellation);
            status = result.status().wire();
            return result;
        } catch (ApiException e) {
            status = e.errorType();
            throw e;
        } catch (DependencyUnavailableException e) {
            status = "dependency_unavailable";
            throw e;
        } finally {
            observer.finished(language, status, System.nanoTime() - start);
        }
    }

    private ExecResult run(Principal principal, ExecRequest request, Language language, Cancellation cancellation) {
        boolean keepsState = language.has(Language.Trait.KEEPS_STATE);
        Session session = resolveSession(principal, request);
        byte[] state = keepsState ? loadState(session) : null;
        Duration timeout = timeout(request);
        ExecuteRequest execute = new ExecuteRequest(
                language.id(), request.code(), request.args(), timeout.toMillis(), state, keepsState, true);
        Begun<ExecuteResponse> begun;
        try {
            begun = begin(
                    principal,
                    request,
                    session,
                    language,
                    timeout,
                    cancellation,
                    (lease, claim) -> runners.execute(target(lease), execute, timeout, claim));
        } catch (RunnerClient.RunnerUnreachableException e) {
            cancellation.throwIfCancelled();
            throw sandboxLost();
        }
        try {
            cancellation.throwIfCancelled();
            return finish(begun, begun.first());
        } finally {
            registry.release(begun.lease());
        }
    }

    /**
     * An execution under way: its session, its inputs (as the request named them and as stored) with the hashes the
     * runner reported for them, the lease, and what the first call to the runner answered. Everything needed to
     * finish it — here, or (programmatic) on another replica that rebuilt it from the registry.
     */
    record Begun<T>(
            Session session,
            List<ExecRequest.InputFile> requested,
            List<FileRecord> inputs,
            Map<String, String> inputHashes,
            Lease lease,
            T first,
            long startedNanos,
            long leasedNanos,
            long mountedNanos) {}

    /** How the runner is asked to run: on the leased runner, claiming it when nothing claimed it yet. */
    interface FirstCall<T> {
        T run(Lease lease, boolean claim);
    }

    /**
     * Leases a sandbox (warm, else a Job), claims it, mounts the inputs and makes the first call; the lease is
     * released here on every failure, and otherwise belongs to the caller. {@code cancellation} learns the runner as
     * soon as it is leased.
     */
    <T> Begun<T> begin(
            Principal principal,
            ExecRequest request,
            Session session,
            Language language,
            Duration timeout,
            Cancellation cancellation,
            FirstCall<T> call) {
        List<FileRecord> inputs = resolveInputs(principal, request);
        cancellation.throwIfCancelled();
        long t0 = System.nanoTime();
        if (inputs.isEmpty()) {
            // Nothing to put first: the execute claims the runner itself, one round trip instead of two.
            Started<T> started = lease(language.id(), timeout, false, leased -> {
                cancellation.attach(runners, target(leased));
                return call.run(leased, true);
            });
            return new Begun<>(
                    session,
                    request.files(),
                    inputs,
                    Map.of(),
                    started.lease(),
                    started.result(),
                    t0,
                    started.leasedAt(),
                    started.leasedAt());
        }
        Started<RunnerStatus> claimed = lease(language.id(), timeout, true, this::claim);
        Lease lease = claimed.lease();
        try {
            long t1 = System.nanoTime();
            cancellation.attach(runners, target(lease));
            Map<String, String> inputHashes = mountInputs(lease, inputs, request);
            long t2 = System.nanoTime();
            cancellation.throwIfCancelled();
            return new Begun<>(
                    session, request.files(), inputs, inputHashes, lease, call.run(lease, false), t0, t1, t2);
        } catch (RuntimeException e) {
            registry.release(lease);
            throw e;
        }
    }

    /**
     * Collects the outputs and the new state of an execution that ran and builds its answer; the caller releases
     * the lease. A runner lost on the way is a 503 {@code sandbox_lost}.
     */
    ExecResult finish(Begun<?> begun, ExecuteResponse response) {
        Lease lease = begun.lease();
        Session session = begun.session();
        try {
            long t3 = System.nanoTime();
            Collected collected =
                    collectOutputs(lease, session, begun.inputs(), begun.inputHashes(), begun.requested(), response);
            List<ExecResult.OutputFile> outputs = collected.files();
            long t4 = System.nanoTime();
            StateSummary kept = saveState(session, response);
            sessions.touch(session.id(), settings.sessionTtl());
            long t5 = System.nanoTime();
            ExecResult.Status status = response.timedOut()
                    ? ExecResult.Status.TIMEOUT
                    : response.exitCode() == 0 ? ExecResult.Status.OK : ExecResult.Status.ERROR;
            // Where the time went, for an operator and for the latency breakdown: lease (+ claim when there are
            // inputs), inputs in, the runner's execute call (of which ms= ran the code), outputs, state out + session.
            // (A programmatic execution's run_ms is its last round trip.)
            LOG.info("event=exec lang=" + response.language() + " status=" + status.wire() + " ms="
                    + response.executionTimeMs()
                    + " files=" + outputs.size() + " lease_ms=" + millis(begun.leasedNanos() - begun.startedNanos())
                    + " in_ms=" + millis(begun.mountedNanos() - begun.leasedNanos())
                    + " run_ms=" + millis(Math.max(0, t3 - begun.mountedNanos())) + " out_ms=" + millis(t4 - t3)
                    + " save_ms=" + millis(t5 - t4));
            return new ExecResult(
                    session.id(),
                    response.stdout(),
                    response.stderr(),
                    response.exitCode(),
                    status,
                    response.executionTimeMs(),
                    outputs,
                    collected.deletedFiles(),
                    kept.present,
                    kept.size,
                    kept.hash);
        } catch (RunnerClient.RunnerUnreachableException e) {
            throw sandboxLost();
        }
    }

    static ApiException sandboxLost() {
        return new ApiException.Unavailable(
                ErrorType.SANDBOX_LOST, "the sandbox running this execution was lost; run it again", 1);
    }

    /** Releases a lease (idempotent: a lease already released or expired is a no-op). */
    void release(Lease lease) {
        registry.release(lease);
    }

    /** Moves a lease's deadline; false when it is no longer held. */
    boolean extend(Lease lease, Duration ttl) {
        return registry.extend(lease, ttl);
    }

    RunnerClient runners() {
        return runners;
    }

    ExecObserver observer() {
        return observer;
    }

    /** The session of a programmatic continuation, found again by id for its owner. */
    Session session(String sessionId, String owner) {
        return sessions.find(sessionId, owner)
                .orElseThrow(() -> new ApiException.NotFound("the session of this execution is gone"));
    }

    /** The stored inputs of a programmatic continuation, found again. */
    List<FileRecord> storedInputs(Principal principal, List<ExecRequest.InputFile> requested) {
        return resolveInputs(principal, new ExecRequest(null, null, List.of(), null, requested, null, null, 0));
    }

    static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    Language validate(ExecRequest request) {
        if (request.lang() == null || request.lang().isBlank()) {
            throw new ApiException.BadRequest(ErrorType.INVALID_REQUEST, "'lang' is required");
        }
        Language language = Languages.find(request.lang())
                .orElseThrow(() -> new ApiException.BadRequest(
                        ErrorType.UNSUPPORTED_LANGUAGE,
                        "unknown language '" + request.lang() + "'; supported: " + Languages.ids()));
        if (request.code() == null || request.code().isBlank()) {
            throw new ApiException.BadRequest(ErrorType.EMPTY_CODE, "'code' must not be empty");
        }
        if (request.code().getBytes(StandardCharsets.UTF_8).length > settings.maxCodeBytes()) {
            throw new ApiException.TooLarge("code exceeds " + settings.maxCodeBytes() + " bytes");
        }
        if (request.entityId() != null && !request.entityId().matches("[A-Za-z0-9_-]{1,40}")) {
            throw new ApiException.BadRequest(
                    ErrorType.INVALID_ENTITY_ID, "'entity_id' must be 1 to 40 of [A-Za-z0-9_-]");
        }
        for (ExecRequest.InputFile input : request.files()) {
            FileNames.problem(input.name()).ifPresent(problem -> {
                throw new ApiException.BadRequest(ErrorType.UNSAFE_FILENAME, problem + ": " + input.name());
            });
        }
        return language;
    }

    Duration timeout(ExecRequest request) {
        Duration requested = request.timeoutSeconds() > 0
                ? Duration.ofMillis((long) (request.timeoutSeconds() * 1000))
                : settings.defaultTimeout();
        return requested.compareTo(settings.maxTimeout()) > 0 ? settings.maxTimeout() : requested;
    }

    /** The explicit session, else the session of the referenced files, else the entity's, else a new one. */
    Session resolveSession(Principal principal, ExecRequest request) {
        if (request.sessionId() != null) {
            var explicit = sessions.find(request.sessionId(), principal.id());
            if (explicit.isPresent()) {
                return explicit.get();
            }
        }
        for (ExecRequest.InputFile input : request.files()) {
            var owning = input.sessionId() == null ? null : sessions.find(input.sessionId(), principal.id());
            if (owning != null && owning.isPresent()) {
                return owning.get();
            }
        }
        if (request.entityId() != null) {
            var byEntity = sessions.findByEntity(principal.id(), request.entityId());
            if (byEntity.isPresent()) {
                return byEntity.get();
            }
        }
        return sessions.create(principal.id(), request.entityId(), settings.sessionTtl());
    }

    private List<FileRecord> resolveInputs(Principal principal, ExecRequest request) {
        List<FileRecord> inputs = new ArrayList<>();
        for (ExecRequest.InputFile input : request.files()) {
            FileRecord record = input.sessionId() == null
                            || sessions.find(input.sessionId(), principal.id()).isEmpty()
                    ? null
                    : sessions.file(input.sessionId(), input.id()).orElse(null);
            if (record == null) {
                throw new ApiException.NotFound("input file " + input.id() + " not found");
            }
            inputs.add(record);
        }
        return inputs;
    }

    /** A leased runner, what the first call to it returned, and when the lease was granted. */
    private record Started<T>(Lease lease, T result, long leasedAt) {}

    /**
     * Leases a runner and makes the first call, which claims it; a runner that cannot be claimed (dead, claimed by
     * another lease, not the leased pod) is released and the next one tried, up to the configured attempts. With
     * {@code claimOnly} the first call is the bare claim and any failure is retried; otherwise it is the execute
     * that claims, and only failures where nothing ran are (no connection, or the claim refused).
     */
    private <T> Started<T> lease(
            String language, Duration timeout, boolean claimOnly, java.util.function.Function<Lease, T> firstCall) {
        Duration ttl = timeout.plus(Duration.ofMinutes(2)); // execution, file transfers, and margin
        // A language without a warm pool has no sandbox coming back to it: waiting would only delay its Job.
        Duration warmWait = settings.jobOnExhaustion() && settings.warmTarget().applyAsInt(language) == 0
                ? Duration.ZERO
                : settings.acquireWait();
        for (int attempt = 1; attempt <= settings.claimAttempts(); attempt++) {
            long start = System.nanoTime();
            long began = start;
            Acquisition got = registry.acquire(language, ttl, warmWait);
            observer.leased(language, got.outcome(), false, System.nanoTime() - start);
            if (!got.acquired() && settings.jobOnExhaustion()) {
                start = System.nanoTime();
                got = registry.acquireViaJob(language, ttl, settings.coldWait());
                observer.leased(language, got.outcome(), true, System.nanoTime() - start);
            }
            if (!got.acquired()) {
                throw new ApiException.Unavailable(
                        ErrorType.NO_SANDBOX, "no " + language + " sandbox became available; try again", 2);
            }
            Lease lease = got.lease();
            long leasedAt = System.nanoTime();
            registry.recordAcquireTime(language, leasedAt - began); // /metrics/pool acquire_ms, all replicas
            try {
                return new Started<>(lease, firstCall.apply(lease), leasedAt);
            } catch (RunnerClient.RunnerUnreachableException | RunnerClient.RunnerRefusedException e) {
                boolean nothingRan = claimOnly
                        || (e instanceof RunnerClient.RunnerUnreachableException u
                                ? !u.reached()
                                : ((RunnerClient.RunnerRefusedException) e).claimRefused());
                if (!nothingRan) {
                    registry.release(lease);
                    throw e;
                }
                LOG.warning("event=claim_failed pod=" + lease.pod().name() + " attempt=" + attempt + " error="
                        + e.getMessage());
                registry.release(lease);
            }
        }
        throw new ApiException.Unavailable(ErrorType.NO_SANDBOX, "no reachable " + language + " sandbox; try again", 2);
    }

    /** Where the leased runner listens, with the lease and the pod uid every call after the claim carries. */
    static RunnerClient.Target target(Lease lease) {
        return new RunnerClient.Target(
                lease.pod().ip(), lease.pod().port(), lease.id(), lease.pod().uid());
    }

    /** The bare claim (before inputs go in); the runner must report the leased pod's uid. */
    private RunnerStatus claim(Lease lease) {
        RunnerStatus status = runners.claim(target(lease));
        if (status.podUid() != null
                && !status.podUid().isEmpty()
                && !status.podUid().equals(lease.pod().uid())) {
            throw new RunnerClient.RunnerRefusedException(409, "pod uid mismatch");
        }
        return status;
    }

    /** Streams each input into the sandbox; returns name → sha256 as the runner stored it. */
    private Map<String, String> mountInputs(Lease lease, List<FileRecord> inputs, ExecRequest request) {
        Map<String, String> hashes = new HashMap<>();
        for (int i = 0; i < inputs.size(); i++) {
            FileRecord record = inputs.get(i);
            String name = request.files().get(i).name();
            try (InputStream in = files.open(record.objectKey())) {
                FileEntry entry = runners.putFile(target(lease), name, in, record.size());
                hashes.put(entry.path(), entry.sha256());
            } catch (StoreException.NotFound e) {
                throw new ApiException.NotFound("input file " + record.id() + " has no stored content");
            } catch (IOException e) {
                throw new ApiException.Unavailable(ErrorType.STORAGE_UNAVAILABLE, "cannot read an input file", 1);
            }
        }
        return hashes;
    }

    private byte[] loadState(Session session) {
        try {
            return states.load(session.id())
                    .map(StoredState::bytes)
                    .map(stored -> StateCodec.decode(stored, settings.maxStateBytes()))
                    .orElse(null);
        } catch (StateCodec.InvalidStateException e) {
            LOG.warning("event=state_unreadable session=" + session.id() + " error=" + e.getMessage());
            return null;
        }
    }

    /** What the run left in {@code /mnt/data}: the files it created or changed, and the inputs it removed. */
    private record Collected(List<ExecResult.OutputFile> files, List<String> deletedFiles) {}

    private Collected collectOutputs(
            Lease lease,
            Session session,
            List<FileRecord> inputs,
            Map<String, String> inputHashes,
            List<ExecRequest.InputFile> requested,
            ExecuteResponse response) {
        Map<String, FileRecord> inputByName = new HashMap<>();
        for (FileRecord input : inputs) {
            inputByName.put(input.name(), input);
        }
        List<ExecResult.OutputFile> outputs = new ArrayList<>();
        int skipped = 0;
        // The listing came with the answer; a runner from before list_files needs the extra call.
        List<FileEntry> listing = response.files() != null ? response.files() : runners.listFiles(target(lease));
        for (FileEntry entry : listing) {
            String known = inputHashes.get(entry.path());
            if (known != null && known.equals(entry.sha256())) {
                continue; // an untouched input
            }
            if (outputs.size() >= settings.maxOutputFiles()
                    || entry.size() > settings.maxFileBytes()
                    || FileNames.problem(entry.path()).isPresent()) {
                skipped++;
                continue;
            }
            String id = Ids.next();
            StoredObject stored;
            try (InputStream in = runners.openFile(target(lease), entry.path())) {
                stored = files.put(
                        FileRecord.objectKey(session.id(), id),
                        in,
                        settings.maxFileBytes(),
                        ContentTypes.of(entry.path()));
            } catch (IOException e) {
                throw new ApiException.Unavailable(ErrorType.SANDBOX_LOST, "cannot collect " + entry.path(), 1);
            }
            FileRecord changedFrom = known != null ? inputByName.get(entry.path()) : null;
            sessions.putFile(new FileRecord(
                    id,
                    session.id(),
                    entry.path(),
                    stored.size(),
                    stored.etag(),
                    ContentTypes.of(entry.path()),
                    stored.lastModified(),
                    "agent",
                    null,
                    false,
                    changedFrom == null ? null : changedFrom.id(),
                    changedFrom == null ? null : changedFrom.sessionId()));
            outputs.add(new ExecResult.OutputFile(
                    id,
                    entry.path(),
                    "/mnt/data/" + entry.path(),
                    session.id(),
                    changedFrom == null ? null : changedFrom.id(),
                    changedFrom == null ? null : changedFrom.sessionId()));
        }
        if (skipped > 0) {
            LOG.info("event=outputs_skipped session=" + session.id() + " count=" + skipped);
        }
        return new Collected(outputs, deletedInputs(requested, listing));
    }

    /**
     * The inputs the run removed: each name exactly as the request's {@code files[].name} gave it (the runner stores
     * an input under that name, which {@link FileNames} keeps canonical), in request order, once each, when the
     * listing after the run no longer holds it.
     */
    static List<String> deletedInputs(List<ExecRequest.InputFile> requested, List<FileEntry> listing) {
        java.util.Set<String> present = new java.util.HashSet<>();
        for (FileEntry entry : listing) {
            present.add(entry.path());
        }
        java.util.Set<String> deleted = new java.util.LinkedHashSet<>();
        for (ExecRequest.InputFile input : requested) {
            if (!present.contains(input.name())) {
                deleted.add(input.name());
            }
        }
        return List.copyOf(deleted);
    }

    private record StateSummary(boolean present, long size, String hash) {}

    private StateSummary saveState(Session session, ExecuteResponse response) {
        if (response.state() == null) {
            return new StateSummary(false, 0, null);
        }
        byte[] stored = StateCodec.encode(response.state());
        if (stored.length > settings.maxStateBytes()) {
            return new StateSummary(false, 0, null);
        }
        states.save(session.id(), stored, settings.stateTtl());
        return new StateSummary(true, stored.length, TieredStateStore.sha256(stored));
    }
}
