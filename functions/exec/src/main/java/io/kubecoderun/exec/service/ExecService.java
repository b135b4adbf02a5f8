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
        long start = System.nanoTime();
        String language = "invalid";
        String status = "internal";
        try {
            Language known = validate(request);
            language = known.id();
            ExecResult result = run(principal, request, known);
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

    private ExecResult run(Principal principal, ExecRequest request, Language language) {
        Session session = resolveSession(principal, request);
        List<FileRecord> inputs = resolveInputs(principal, request);
        Duration timeout = timeout(request);
        Lease lease = null;
        try {
            long t0 = System.nanoTime();
            long t1;
            long t2;
            ExecuteResponse response;
            Map<String, String> inputHashes;
            boolean keepsState = language.has(Language.Trait.KEEPS_STATE);
            byte[] state = keepsState ? loadState(session) : null;
            ExecuteRequest execute = new ExecuteRequest(
                    language.id(), request.code(), request.args(), timeout.toMillis(), state, keepsState, true);
            if (inputs.isEmpty()) {
                // Nothing to put first: the execute claims the runner itself, one round trip instead of two.
                Started<ExecuteResponse> started = lease(
                        language.id(),
                        timeout,
                        false,
                        leased -> runners.execute(target(leased), execute, timeout, true));
                lease = started.lease();
                t1 = started.leasedAt();
                t2 = t1;
                inputHashes = Map.of();
                response = started.result();
            } else {
                Started<RunnerStatus> claimed = lease(language.id(), timeout, true, this::claim);
                lease = claimed.lease();
                t1 = System.nanoTime();
                inputHashes = mountInputs(lease, inputs, request);
                t2 = System.nanoTime();
                response = runners.execute(target(lease), execute, timeout, false);
            }
            long t3 = System.nanoTime();
            Collected collected = collectOutputs(lease, session, inputs, inputHashes, request, response);
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
            LOG.info("event=exec lang=" + language.id() + " status=" + status.wire() + " ms="
                    + response.executionTimeMs()
                    + " files=" + outputs.size() + " lease_ms=" + millis(t1 - t0) + " in_ms=" + millis(t2 - t1)
                    + " run_ms=" + millis(t3 - t2) + " out_ms=" + millis(t4 - t3) + " save_ms=" + millis(t5 - t4));
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
            throw new ApiException.Unavailable(
                    ErrorType.SANDBOX_LOST, "the sandbox running this execution was lost; run it again", 1);
        } finally {
            if (lease != null) {
                registry.release(lease);
            }
        }
    }

    private static String millis(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private Language validate(ExecRequest request) {
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

    private Duration timeout(ExecRequest request) {
        Duration requested = request.timeoutSeconds() > 0
                ? Duration.ofMillis((long) (request.timeoutSeconds() * 1000))
                : settings.defaultTimeout();
        return requested.compareTo(settings.maxTimeout()) > 0 ? settings.maxTimeout() : requested;
    }

    /** The explicit session, else the session of the referenced files, else the entity's, else a new one. */
    private Session resolveSession(Principal principal, ExecRequest request) {
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
        for (int attempt = 1; attempt <= settings.claimAttempts(); attempt++) {
            long start = System.nanoTime();
            long began = start;
            Acquisition got = registry.acquire(language, ttl, settings.acquireWait());
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
    private static RunnerClient.Target target(Lease lease) {
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
            ExecRequest request,
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
        return new Collected(outputs, deletedInputs(request, listing));
    }

    /**
     * The inputs the run removed: each name exactly as the request's {@code files[].name} gave it (the runner stores
     * an input under that name, which {@link FileNames} keeps canonical), in request order, once each, when the
     * listing after the run no longer holds it.
     */
    static List<String> deletedInputs(ExecRequest request, List<FileEntry> listing) {
        java.util.Set<String> present = new java.util.HashSet<>();
        for (FileEntry entry : listing) {
            present.add(entry.path());
        }
        java.util.Set<String> deleted = new java.util.LinkedHashSet<>();
        for (ExecRequest.InputFile input : request.files()) {
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
