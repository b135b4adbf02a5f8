package io.kubecoderun.exec.service;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.controller.local.LocalPlatform;
import io.kubecoderun.controller.plan.PoolSpec;
import io.kubecoderun.controller.reconcile.PoolController;
import io.kubecoderun.controller.reconcile.PoolMetrics;
import io.kubecoderun.controller.reconcile.PoolReconciler;
import io.kubecoderun.controller.reconcile.ReconcilerSettings;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.state.InMemoryStateTier;
import io.kubecoderun.core.state.TieredStateStore;
import io.kubecoderun.core.store.FileRecord;
import io.kubecoderun.core.store.InMemorySessionStore;
import io.kubecoderun.core.store.LocalDiskFileStore;
import io.kubecoderun.core.store.Session;
import io.kubecoderun.core.store.StoredObject;
import io.kubecoderun.registry.InMemoryLeaseRegistry;
import io.kubecoderun.registry.PodRef;
import io.kubecoderun.runner.wire.RunnerClient;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The exec service end to end with the embedded default's parts: the controller on the local platform with real
 * sandboxed runners, the in-memory registry and sessions, files on disk, states in memory with a disk archive.
 */
@Timeout(300)
class ExecServiceIT {
    static final Principal ALICE = new Principal("key:alice", Principal.Kind.API_KEY);
    static final Principal MALLORY = new Principal("key:mallory", Principal.Kind.API_KEY);
    static Path base;
    static LocalPlatform platform;
    static PoolController controller;
    static InMemorySessionStore sessions;
    static LocalDiskFileStore files;
    static ExecService service;
    static InMemoryLeaseRegistry registry;
    /** What the service reported to its observer, as "leased lang outcome source" and "finished lang status". */
    static final List<String> OBSERVED = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    /** How long the last attempt at a warm pool took (before any Job). */
    static volatile long lastPoolAttemptNanos;

    @BeforeAll
    static void start() throws Exception {
        base = Files.createTempDirectory("kcr-exec-it");
        registry = new InMemoryLeaseRegistry();
        List<String> runner = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "@"
                        + Path.of(System.getProperty("runner.jvm.options", "../../runner/jvm.options"))
                                .toAbsolutePath(),
                "-jar",
                Path.of(System.getProperty("runner.jar", "../../runner/target/runner.jar"))
                        .toAbsolutePath()
                        .toString());
        platform = new LocalPlatform(
                base.resolve("pods"), runner, Map.of("RUNNER_SANDBOX", "bubblewrap"), Clock.systemUTC());
        ReconcilerSettings settings = ReconcilerSettings.defaults("exec-it").withInterval(Duration.ofMillis(200));
        controller = new PoolController(new PoolReconciler(
                platform,
                registry,
                new RunnerClient(),
                List.of(
                        new PoolSpec("py", 2, 10, Duration.ofMinutes(1), null),
                        new PoolSpec("bash", 0, 10, Duration.ofMinutes(1), null)),
                settings,
                Clock.systemUTC(),
                new PoolMetrics()));
        controller.start(settings);
        sessions = new InMemorySessionStore(Clock.systemUTC());
        files = new LocalDiskFileStore(base.resolve("files"));
        TieredStateStore states = new TieredStateStore(
                new InMemoryStateTier(Clock.systemUTC()),
                new LocalDiskFileStore(base.resolve("archive")),
                Clock.systemUTC(),
                50L << 20,
                Duration.ofHours(2));
        ExecSettings defaults = ExecSettings.defaults();
        service = new ExecService(
                registry,
                sessions,
                files,
                states,
                new RunnerClient(),
                new ExecSettings(
                        defaults.maxCodeBytes(),
                        defaults.defaultTimeout(),
                        defaults.maxTimeout(),
                        5,
                        defaults.maxFileBytes(),
                        defaults.maxStateBytes(),
                        defaults.sessionTtl(),
                        defaults.stateTtl(),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(60),
                        true,
                        3,
                        language -> language.equals("bash") ? 0 : 2),
                new ExecObserver() {
                    @Override
                    public void leased(
                            String language,
                            io.kubecoderun.registry.Acquisition.Outcome outcome,
                            boolean viaJob,
                            long nanos) {
                        assertTrue(nanos >= 0);
                        OBSERVED.add("leased " + language + " " + outcome + " " + (viaJob ? "job" : "pool"));
                        if (!viaJob) {
                            lastPoolAttemptNanos = nanos;
                        }
                    }

                    @Override
                    public void finished(String language, String status, long nanos) {
                        assertTrue(nanos > 0);
                        OBSERVED.add("finished " + language + " " + status);
                    }
                });
    }

    @AfterAll
    static void stop() {
        controller.close();
        platform.close();
    }

    static ExecRequest py(String code, String sessionId, List<ExecRequest.InputFile> inputs) {
        return new ExecRequest("python", code, List.of(), sessionId, inputs, null, null, 0);
    }

    /** What an upload does: the bytes in the object store, the record in the session. */
    static FileRecord upload(Principal owner, String sessionId, String name, byte[] bytes) {
        String id = io.kubecoderun.core.ids.Ids.next();
        StoredObject stored =
                files.put(FileRecord.objectKey(sessionId, id), new ByteArrayInputStream(bytes), 1 << 20, "text/csv");
        FileRecord record = new FileRecord(
                id,
                sessionId,
                name,
                stored.size(),
                stored.etag(),
                "text/csv",
                stored.lastModified(),
                "user",
                null,
                false,
                null,
                null);
        sessions.putFile(record);
        return record;
    }

    static byte[] download(String sessionId, String fileId) throws Exception {
        try (InputStream in = files.open(FileRecord.objectKey(sessionId, fileId))) {
            return in.readAllBytes();
        }
    }

    /**
     * The runners the registry hands out first cannot be claimed: one is gone (its port closed), the other's
     * address now belongs to another pod. Each is released and the next tried; the code runs once, on a real
     * runner, and nothing runs or is claimed on the recycled address. With inputs (the bare claim first) and
     * without (the execute claims).
     */
    @Test
    void runnersThatCannotBeClaimedAreSkippedAndTheCodeRunsOnceElsewhere() throws Exception {
        for (boolean withInput : List.of(false, true)) {
            var warm = List.of(
                    registry.acquire("py", Duration.ofMinutes(2), Duration.ofSeconds(30))
                            .lease(),
                    registry.acquire("py", Duration.ofMinutes(2), Duration.ofSeconds(30))
                            .lease());
            try {
                // Port 1: nothing listens there. A port freed by closing a socket could be taken again by a runner
                // starting meanwhile (they bind port 0), which made this test flaky in a full build.
                int closedPort = 1;
                PodRef recycled = warm.get(0).pod();
                // Epoch 1: the controller's, the first taken from this fresh registry.
                assertEquals(
                        io.kubecoderun.registry.OfferOutcome.IDLE,
                        registry.offer(new PodRef("py", "kcr-py-gone", "uid-gone", "127.0.0.1", closedPort), 1));
                assertEquals(
                        io.kubecoderun.registry.OfferOutcome.IDLE,
                        registry.offer(new PodRef("py", "kcr-py-was", "uid-was", recycled.ip(), recycled.port()), 1));
                String session =
                        sessions.create(ALICE.id(), null, Duration.ofHours(1)).id();
                List<ExecRequest.InputFile> inputs = withInput
                        ? List.of(new ExecRequest.InputFile(
                                upload(ALICE, session, "in.txt", "x".getBytes()).id(), session, "in.txt"))
                        : List.of();
                ExecResult result =
                        service.execute(ALICE, py("import os\nprint(sorted(os.listdir('.')))", session, inputs));
                assertEquals(withInput ? "['in.txt']\n" : "[]\n", result.stdout(), "ran once, on a real runner");
                var status = java.net.http.HttpClient.newHttpClient()
                        .send(
                                java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                                                "http://" + recycled.ip() + ":" + recycled.port() + "/status"))
                                        .build(),
                                java.net.http.HttpResponse.BodyHandlers.ofString())
                        .body();
                assertTrue(
                        status.contains("\"claimed\":false") && status.contains("\"used\":false"),
                        "nothing claimed or run on the recycled address: " + status);
            } finally {
                warm.forEach(registry::release);
            }
        }
    }

    @Test
    void helloWorldRunsInANewSession() {
        ExecResult result = service.execute(ALICE, py("print('hello')", null, List.of()));
        assertEquals("hello\n", result.stdout());
        assertEquals(ExecResult.Status.OK, result.status());
        assertEquals(0, result.exitCode());
        assertEquals(21, result.sessionId().length());
        assertTrue(sessions.find(result.sessionId(), ALICE.id()).isPresent());
    }

    @Test
    void pythonStateCarriesVariablesFunctionsAndDataFramesToTheNextCall() {
        ExecResult first = service.execute(ALICE, py("""
                import pandas as pd
                counter = 100
                def double(x): return 2 * x
                df = pd.DataFrame({'a': [1, 2, 3]})
                """, null, List.of()));
        assertTrue(first.hasState(), first.stderr());
        assertTrue(first.stateSize() > 0);
        assertEquals(64, first.stateHash().length());
        ExecResult second = service.execute(
                ALICE,
                py(
                        "import pandas as pd\nprint(counter + 1, double(21), int(df['a'].sum()))",
                        first.sessionId(),
                        List.of()));
        assertEquals("101 42 6\n", second.stdout(), second.stderr());
    }

    @Test
    void aCsvIsReadByPandasAndTwoOutputsComeBackByteForByte() throws Exception {
        Session session = sessions.create(ALICE.id(), null, Duration.ofHours(1));
        FileRecord csv = upload(ALICE, session.id(), "data.csv", "x,y\n1,2\n3,4\n".getBytes(StandardCharsets.UTF_8));
        ExecResult result = service.execute(
                ALICE, py("""
                import pandas as pd, os
                df = pd.read_csv('data.csv')
                df['z'] = df.x + df.y
                df.to_csv('out/sum.csv', index=False) if os.makedirs('out', exist_ok=True) is None else None
                open('report.txt', 'w').write(f"rows={len(df)}\\n")
                print(df.z.sum())
                """, session.id(), List.of(new ExecRequest.InputFile(csv.id(), session.id(), "data.csv"))));
        assertEquals("10\n", result.stdout(), result.stderr());
        assertEquals(
                List.of("out/sum.csv", "report.txt"),
                result.files().stream()
                        .map(ExecResult.OutputFile::name)
                        .sorted()
                        .toList(),
                "the untouched input is not an output");
        for (ExecResult.OutputFile out : result.files()) {
            byte[] bytes = download(session.id(), out.id());
            if (out.name().equals("report.txt")) {
                assertArrayEquals("rows=2\n".getBytes(StandardCharsets.UTF_8), bytes);
            } else {
                assertEquals("x,y,z\n1,2,3\n3,4,7\n", new String(bytes, StandardCharsets.UTF_8));
            }
            assertEquals(session.id(), out.sessionId());
        }
    }

    @Test
    void anInputEditedInPlaceComesBackAsANewFileModifiedFromTheOriginal() throws Exception {
        Session session = sessions.create(ALICE.id(), null, Duration.ofHours(1));
        FileRecord input = upload(ALICE, session.id(), "notes/todo.txt", "a\n".getBytes(StandardCharsets.UTF_8));
        ExecResult result = service.execute(
                ALICE,
                py(
                        "open('notes/todo.txt', 'a').write('b\\n')",
                        session.id(),
                        List.of(new ExecRequest.InputFile(input.id(), session.id(), "notes/todo.txt"))));
        assertEquals(1, result.files().size(), result.stderr());
        ExecResult.OutputFile changed = result.files().get(0);
        assertNotEquals(input.id(), changed.id());
        assertEquals(input.id(), changed.modifiedFromId());
        assertEquals("a\nb\n", new String(download(session.id(), changed.id()), StandardCharsets.UTF_8));
        assertEquals(
                "a\n", new String(download(session.id(), input.id()), StandardCharsets.UTF_8), "the original stays");
    }

    @Test
    void aFileFromOneExecutionIsMountedIntoTheNext() {
        ExecResult first =
                service.execute(ALICE, py("open('made.txt', 'w').write('from the first run')", null, List.of()));
        ExecResult.OutputFile made = first.files().get(0);
        ExecResult second = service.execute(
                ALICE,
                py(
                        "print(open('made.txt').read())",
                        first.sessionId(),
                        List.of(new ExecRequest.InputFile(made.id(), first.sessionId(), "made.txt"))));
        assertEquals("from the first run\n", second.stdout());
        assertEquals(List.of(), second.files());
    }

    @Test
    void failingCodeIsAnAnswerNotAnError() {
        ExecResult result = service.execute(ALICE, py("raise ValueError('boom')", null, List.of()));
        assertEquals(ExecResult.Status.ERROR, result.status());
        assertEquals(1, result.exitCode());
        assertTrue(result.stderr().contains("ValueError: boom"));
    }

    @Test
    void aTimeoutIsReportedAsSuch() {
        ExecResult result = service.execute(
                ALICE, new ExecRequest("py", "import time\ntime.sleep(30)", List.of(), null, List.of(), null, null, 1));
        assertEquals(ExecResult.Status.TIMEOUT, result.status());
        assertEquals(124, result.exitCode());
        assertTrue(result.stderr().contains("Execution timed out after 1 seconds"), result.stderr());
    }

    /**
     * The local platform's runner host dies mid-run (kill -9, as a crash would): the execution on it fails as a
     * lost sandbox (503 {@code sandbox_lost}, never a hang or a 500), the controller sees the host's pods fail and
     * replaces them on a new host, and the next execution succeeds.
     */
    @Test
    void aRunnerHostKilledMidRunLosesWhatRanOnItAndIsReplaced() throws Exception {
        awaitIdle("py", 2);
        java.util.concurrent.CompletableFuture<Object> inFlight =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return service.execute(
                                ALICE, py("import time\ntime.sleep(30)\nprint('never')", null, List.of()));
                    } catch (ApiException e) {
                        return e;
                    }
                });
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (registry.stats("py").leased() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(1, registry.stats("py").leased(), "the execution holds its sandbox");
        Thread.sleep(300); // its program is running
        ProcessHandle host = platform.process(platform.pods("py").get(0).name()).orElseThrow();
        host.destroyForcibly();
        Object outcome = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
        ApiException lost = assertInstanceOf(ApiException.class, outcome, String.valueOf(outcome));
        assertEquals("sandbox_lost", lost.errorType(), lost.getMessage());
        awaitIdle("py", 2);
        assertEquals(
                "back\n",
                service.execute(ALICE, py("print('back')", null, List.of())).stdout());
    }

    private static void awaitIdle(String language, int idle) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (registry.stats(language).idle() < idle) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(language + " pool not back at " + idle + ": " + registry.stats(language));
            }
            Thread.sleep(50);
        }
    }

    @Test
    void aColdLanguageRunsThroughAJob() {
        OBSERVED.clear();
        ExecResult result = service.execute(
                ALICE, new ExecRequest("sh", "echo cold $((6*7))", List.of(), null, List.of(), null, null, 0));
        assertEquals("cold 42\n", result.stdout(), result.stderr());
        assertEquals("leased bash MISS pool", OBSERVED.get(0), "no warm bash pool: a miss first: " + OBSERVED);
        assertTrue(
                lastPoolAttemptNanos < Duration.ofSeconds(1).toNanos(),
                "a pool of size 0 is not waited on for its 2 s (acquireWait): " + lastPoolAttemptNanos / 1_000_000
                        + " ms");
        assertTrue(OBSERVED.get(1).matches("leased bash (HIT|WAIT_HIT) job"), "then a Job's sandbox: " + OBSERVED);
        assertEquals("finished bash ok", OBSERVED.get(OBSERVED.size() - 1), String.valueOf(OBSERVED));
    }

    @Test
    void badRequestsAreRefusedBeforeAnySandboxIsUsed() {
        OBSERVED.clear();
        assertEquals(
                "unsupported_language",
                assertThrows(
                                ApiException.BadRequest.class,
                                () -> service.execute(
                                        ALICE, new ExecRequest("cobol", "x", null, null, null, null, null, 0)))
                        .errorType());
        assertEquals(
                "empty_code",
                assertThrows(ApiException.BadRequest.class, () -> service.execute(ALICE, py("   ", null, List.of())))
                        .errorType());
        assertEquals(
                "unsafe_filename",
                assertThrows(
                                ApiException.BadRequest.class,
                                () -> service.execute(
                                        ALICE,
                                        py("1", null, List.of(new ExecRequest.InputFile("f", "s", "../etc/passwd")))))
                        .errorType());
        assertThrows(
                ApiException.TooLarge.class,
                () -> service.execute(ALICE, py("#" + "x".repeat(600_000), null, List.of())));
        assertEquals(
                List.of(
                        "finished invalid unsupported_language",
                        "finished invalid empty_code",
                        "finished invalid unsafe_filename",
                        "finished invalid too_large"),
                OBSERVED,
                "refusals are counted, under a bounded language label, and lease nothing");
    }

    @Test
    void anotherPrincipalsSessionAndFilesAreInvisible() {
        ExecResult alices =
                service.execute(ALICE, py("secret = 'alice'\nopen('a.txt','w').write('x')", null, List.of()));
        ExecResult mallorys =
                service.execute(MALLORY, py("print(globals().get('secret'))", alices.sessionId(), List.of()));
        assertNotEquals(alices.sessionId(), mallorys.sessionId(), "a new session, not Alice's");
        assertEquals("None\n", mallorys.stdout());
        ExecResult.OutputFile file = alices.files().get(0);
        assertThrows(
                ApiException.NotFound.class,
                () -> service.execute(
                        MALLORY,
                        py("1", null, List.of(new ExecRequest.InputFile(file.id(), alices.sessionId(), "a.txt")))));
        assertFalse(sessions.find(alices.sessionId(), MALLORY.id()).isPresent());
    }
}
