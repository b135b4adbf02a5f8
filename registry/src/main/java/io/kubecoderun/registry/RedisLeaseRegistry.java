package io.kubecoderun.registry;

import io.kubecoderun.registry.redis.BlockingRedis;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisConnection;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Logger;

/**
 * The production lease registry: every operation one Redis function call (library {@code kcr}, loaded from
 * {@code registry.lua}, reloaded when Redis answers that it does not know it, as after a restart without data),
 * keys of one language under the hash tag {@code {pool:<lang>}}, deadlines from Redis {@code TIME}.
 *
 * <p>Redis failing or out of reach surfaces as {@link DependencyUnavailableException}. Blocking calls are made from
 * the caller's thread on the Vert.x client; a wait for a pod uses a connection
 * of its own ({@code BLPOP} would stall every other command on a shared one) and is closed afterwards.
 */
public final class RedisLeaseRegistry implements LeaseRegistry {
    private static final Logger LOG = Logger.getLogger(RedisLeaseRegistry.class.getName());
    private static final String LIBRARY = "registry.lua";
    private static final String CONSUMER_GROUP = "kcr-controller";
    /** Job requests kept in the stream at most; older ones are long past their deadline. */
    private static final int JOB_STREAM_MAX = 10_000;

    private static final Duration COMMAND_TIMEOUT = BlockingRedis.COMMAND_TIMEOUT;

    private final Redis redis;
    private final BlockingRedis blocking;
    private final String prefix;
    private final String library;
    private volatile boolean libraryLoaded;
    private final java.util.List<RedisConnection> subscriptions = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * @param redis  a Vert.x Redis client (pooled); the registry does not close it
     * @param prefix prepended to every key, e.g. {@code REDIS_KEY_PREFIX}; may be empty
     */
    public RedisLeaseRegistry(Redis redis, String prefix) {
        this.redis = redis;
        this.blocking = new BlockingRedis(redis);
        this.prefix = prefix;
        try (InputStream in = RedisLeaseRegistry.class.getResourceAsStream(LIBRARY)) {
            if (in == null) {
                throw new IllegalStateException(LIBRARY + " missing from the classpath");
            }
            this.library = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + LIBRARY, e);
        }
    }

    private String pool(String language) {
        return prefix + "{pool:" + language.toLowerCase(Locale.ROOT) + "}:";
    }

    private String channel(String language) {
        return pool(language) + "events";
    }

    /** The channel announcing every lease and release of {@code language} ("leased <pod>", "released <pod>"). */
    public String eventsChannel(String language) {
        return channel(language);
    }

    private Response send(Request request) {
        return blocking.send(request);
    }

    private static <T> T await(io.vertx.core.Future<T> future, Duration timeout) {
        return BlockingRedis.await(future, timeout);
    }

    /**
     * Calls a registry function. This instance loads its own library (REPLACE) before its first call, so a Redis
     * still holding an older version (a rolling upgrade) serves this code's functions; every later version keeps
     * the older functions' answers readable by older replicas (new fields only at the end). The library is loaded
     * again if Redis forgets it (a restart without its data).
     */
    private Response fcall(String function, String language, String... args) {
        if (!libraryLoaded) {
            send(Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(library));
            libraryLoaded = true;
        }
        try {
            return send(fcallRequest(function, language, args));
        } catch (DependencyUnavailableException e) {
            if (e.getMessage() == null || !e.getMessage().contains("Function not found")) {
                throw e;
            }
            LOG.info("event=registry_library_load reason=\"function not found\"");
            send(Request.cmd(Command.FUNCTION).arg("LOAD").arg("REPLACE").arg(library));
            return send(fcallRequest(function, language, args));
        }
    }

    private Request fcallRequest(String function, String language, String... args) {
        Request request = Request.cmd(Command.FCALL).arg(function).arg(1).arg(pool(language));
        for (String arg : args) {
            request.arg(arg);
        }
        return request;
    }

    @Override
    public OfferOutcome offer(PodRef pod, long epoch) {
        return offerTo(pod, epoch, null);
    }

    @Override
    public OfferOutcome offerTo(PodRef pod, long epoch, String requestId) {
        Response r = fcall(
                "kcr_offer",
                pod.language(),
                pod.name(),
                pod.encode(),
                Long.toString(epoch),
                requestId == null ? "" : requestId,
                channel(pod.language()));
        return OfferOutcome.valueOf(r.toString());
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
        String leaseId = UUID.randomUUID().toString();
        long waitMs = Math.max(0, maxWait.toMillis());
        Map<String, Response> r = named(fcall(
                "kcr_lease",
                language,
                leaseId,
                Long.toString(leaseTtl.toMillis()),
                Long.toString(waitMs),
                channel(language)));
        String outcome = field(r, "outcome").toString();
        if (outcome.equals("HIT")) {
            return new Acquisition(
                    Acquisition.Outcome.HIT,
                    new Lease(
                            leaseId,
                            PodRef.decode(field(r, "pod").toString()),
                            field(r, "deadline").toLong()));
        }
        if (outcome.equals("MISS")) {
            return Acquisition.miss();
        }
        if (job) {
            long deadline = field(r, "deadline").toLong(); // the waiter's, on Redis' clock
            send(Request.cmd(Command.XADD)
                    .arg(prefix + "jobs")
                    .arg("MAXLEN")
                    .arg("~")
                    .arg(JOB_STREAM_MAX)
                    .arg("*")
                    .arg("id")
                    .arg(leaseId)
                    .arg("language")
                    .arg(language)
                    .arg("deadline")
                    .arg(deadline));
        }
        return awaitMailbox(language, leaseId, waitMs);
    }

    /** Waits on a connection of its own for the lease an offer puts in this waiter's mailbox. */
    private Acquisition awaitMailbox(String language, String waiterId, long waitMs) {
        Response got = null;
        RedisConnection connection = await(redis.connect(), COMMAND_TIMEOUT);
        try {
            double seconds = waitMs / 1000.0;
            got = await(
                    connection.send(Request.cmd(Command.BLPOP)
                            .arg(pool(language) + "mbox:" + waiterId)
                            .arg(String.format(Locale.ROOT, "%.3f", seconds))),
                    Duration.ofMillis(waitMs).plus(COMMAND_TIMEOUT));
        } finally {
            connection.close();
        }
        if (got != null) {
            return new Acquisition(
                    Acquisition.Outcome.WAIT_HIT, decodeMailbox(got.get(1).toString()));
        }
        Map<String, Response> cancelled = named(fcall("kcr_stop_waiting", language, waiterId));
        if (field(cancelled, "outcome").toString().equals("WAIT_HIT")) {
            return new Acquisition(
                    Acquisition.Outcome.WAIT_HIT,
                    decodeMailbox(field(cancelled, "mailbox").toString()));
        }
        return Acquisition.miss();
    }

    private static Lease decodeMailbox(String entry) {
        String[] parts = entry.split("\t", 3);
        return new Lease(parts[0], PodRef.decode(parts[2]), Long.parseLong(parts[1]));
    }

    @Override
    public boolean extend(Lease lease, Duration ttl) {
        Response r = fcall(
                "kcr_extend", lease.pod().language(), lease.id(), lease.pod().name(), Long.toString(ttl.toMillis()));
        return r.toLong() > 0;
    }

    @Override
    public boolean release(Lease lease) {
        return fcall(
                                "kcr_release",
                                lease.pod().language(),
                                lease.id(),
                                lease.pod().name(),
                                channel(lease.pod().language()))
                        .toLong()
                == 1;
    }

    @Override
    public List<PodRef> reapExpired(String language) {
        return decodePods(fcall("kcr_reap", language));
    }

    @Override
    public List<PodRef> drainDone(String language, int max) {
        return decodePods(fcall("kcr_drain", language, Integer.toString(max)));
    }

    private static List<PodRef> decodePods(Response r) {
        List<PodRef> pods = new ArrayList<>(r.size());
        for (Response item : r) {
            pods.add(PodRef.decode(item.toString()));
        }
        return pods;
    }

    @Override
    public boolean withdraw(PodRef pod) {
        return fcall("kcr_withdraw", pod.language(), pod.name(), pod.uid()).toLong() == 1;
    }

    @Override
    public void forget(PodRef pod) {
        fcall("kcr_forget", pod.language(), pod.name(), pod.uid());
    }

    @Override
    public long takeLeadership() {
        return send(Request.cmd(Command.INCR).arg(prefix + "leader-epoch")).toLong();
    }

    @Override
    public List<JobRequest> pendingJobRequests(String consumer, int max, Duration redeliverAfter) {
        String stream = prefix + "jobs";
        try {
            send(Request.cmd(Command.XGROUP)
                    .arg("CREATE")
                    .arg(stream)
                    .arg(CONSUMER_GROUP)
                    .arg("0")
                    .arg("MKSTREAM"));
        } catch (DependencyUnavailableException e) {
            if (e.getMessage() == null || !e.getMessage().contains("BUSYGROUP")) {
                throw e;
            }
        }
        List<JobRequest> requests = new ArrayList<>();
        Response claimed = send(Request.cmd(Command.XAUTOCLAIM)
                .arg(stream)
                .arg(CONSUMER_GROUP)
                .arg(consumer)
                .arg(redeliverAfter.toMillis())
                .arg("0-0")
                .arg("COUNT")
                .arg(max));
        addEntries(requests, claimed.get(1));
        if (requests.size() < max) {
            Response fresh = send(Request.cmd(Command.XREADGROUP)
                    .arg("GROUP")
                    .arg(CONSUMER_GROUP)
                    .arg(consumer)
                    .arg("COUNT")
                    .arg(max - requests.size())
                    .arg("STREAMS")
                    .arg(stream)
                    .arg(">"));
            if (fresh != null) {
                for (Response streamEntries : fresh) {
                    // RESP2: [[stream, entries]]; RESP3: {stream: entries}
                    Response entries = streamEntries.size() == 2
                                    && streamEntries.get(1) != null
                                    && streamEntries.get(1).type() == io.vertx.redis.client.ResponseType.MULTI
                            ? streamEntries.get(1)
                            : fresh.get(stream);
                    addEntries(requests, entries);
                    if (entries == fresh.get(stream)) {
                        break;
                    }
                }
            }
        }
        return requests;
    }

    private static void addEntries(List<JobRequest> requests, Response entries) {
        if (entries == null) {
            return;
        }
        for (Response entry : entries) {
            if (entry == null || entry.size() < 2 || entry.get(1) == null) {
                continue; // deleted meanwhile
            }
            String ticket = entry.get(0).toString();
            Response fields = entry.get(1);
            String id = null;
            String language = null;
            long deadline = 0;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (fields.get(i).toString()) {
                    case "id" -> id = fields.get(i + 1).toString();
                    case "language" -> language = fields.get(i + 1).toString();
                    case "deadline" -> deadline = fields.get(i + 1).toLong();
                    default -> {}
                }
            }
            if (id != null && language != null) {
                requests.add(new JobRequest(id, language, deadline, ticket));
            }
        }
    }

    @Override
    public void acknowledge(JobRequest request) {
        String stream = prefix + "jobs";
        send(Request.cmd(Command.XACK).arg(stream).arg(CONSUMER_GROUP).arg(request.ticket()));
        send(Request.cmd(Command.XDEL).arg(stream).arg(request.ticket()));
    }

    @Override
    public PoolStats stats(String language) {
        Map<String, Response> fields = named(fcall("kcr_pool_stats", language));
        java.util.Map<Integer, Long> buckets = new java.util.HashMap<>();
        Response histogram = fields.get("acquire_us");
        for (int i = 0; histogram != null && i + 1 < histogram.size(); i += 2) {
            buckets.put(
                    Integer.parseInt(histogram.get(i).toString()),
                    histogram.get(i + 1).toLong());
        }
        java.util.function.ToLongFunction<String> field =
                name -> field(fields, name).toLong();
        return new PoolStats(
                field.applyAsLong("idle"),
                field.applyAsLong("leased"),
                field.applyAsLong("waiters"),
                field.applyAsLong("done"),
                field.applyAsLong("hits"),
                field.applyAsLong("wait_hits"),
                field.applyAsLong("misses"),
                field.applyAsLong("offers"),
                field.applyAsLong("expired"),
                field.applyAsLong("target"),
                field.applyAsLong("starting"),
                field.applyAsLong("pods_created"),
                field.applyAsLong("pods_deleted"),
                field.applyAsLong("cold_starts"),
                new AcquireTimes(buckets));
    }

    /** A registry function's answer of name/value pairs, by name. */
    private static Map<String, Response> named(Response pairs) {
        Map<String, Response> fields = new HashMap<>();
        for (int i = 0; i + 1 < pairs.size(); i += 2) {
            fields.put(pairs.get(i).toString(), pairs.get(i + 1));
        }
        return fields;
    }

    private static Response field(Map<String, Response> fields, String name) {
        Response value = fields.get(name);
        if (value == null) {
            throw new DependencyUnavailableException("the registry library answers no " + name, null);
        }
        return value;
    }

    /** Redis' clock ({@code TIME}), which stamps every deadline in the registry. */
    @Override
    public long clockMillis() {
        Response time = send(Request.cmd(Command.TIME));
        return Long.parseLong(time.get(0).toString()) * 1000
                + Long.parseLong(time.get(1).toString()) / 1000;
    }

    @Override
    public void report(String language, ControllerReport report) {
        fcall(
                "kcr_report",
                language,
                Long.toString(report.target()),
                Long.toString(report.starting()),
                Long.toString(report.created()),
                Long.toString(report.deleted()),
                Long.toString(report.coldStarts()));
    }

    /** One HINCRBY sent without waiting: the request path never waits on a metric. */
    @Override
    public void recordAcquireTime(String language, long nanos) {
        redis.send(Request.cmd(Command.HINCRBY)
                        .arg(pool(language) + "acquire_us")
                        .arg(AcquireTimes.bucket(nanos))
                        .arg(1))
                .onFailure(e -> LOG.fine("event=acquire_time_not_recorded error=" + e.getMessage()));
    }

    @Override
    public Subscription onLeaseChange(java.util.function.Consumer<String> listener) {
        RedisConnection connection = await(redis.connect(), COMMAND_TIMEOUT);
        String marker = "{pool:";
        connection.handler(message -> {
            // RESP2 and RESP3 push: ["pmessage", pattern, channel, payload]
            if (message.size() >= 4 && "pmessage".equals(message.get(0).toString())) {
                String channel = message.get(2).toString();
                int start = channel.indexOf(marker);
                int end = channel.indexOf('}', start);
                if (start >= 0 && end > start) {
                    listener.accept(channel.substring(start + marker.length(), end));
                }
            }
        });
        connection.exceptionHandler(e -> LOG.warning("event=lease_subscription_failed error=" + e.getMessage()));
        subscriptions.add(connection);
        await(connection.send(Request.cmd(Command.PSUBSCRIBE).arg(prefix + "{pool:*}:events")), COMMAND_TIMEOUT);
        return () -> {
            if (subscriptions.remove(connection)) {
                connection.close();
            }
        };
    }

    @Override
    public java.util.Map<String, PodState> podStates(String language) {
        Response all = send(Request.cmd(Command.HGETALL).arg(pool(language) + "state"));
        java.util.Map<String, PodState> states = new java.util.HashMap<>();
        for (String name : all.getKeys()) {
            states.put(name, PodState.parse(all.get(name).toString()));
        }
        return states;
    }

    @Override
    public boolean initialized() {
        return send(Request.cmd(Command.EXISTS).arg(prefix + "initialized")).toLong() == 1;
    }

    @Override
    public void markInitialized() {
        send(Request.cmd(Command.SET).arg(prefix + "initialized").arg("1"));
    }

    @Override
    public void close() {
        subscriptions.forEach(RedisConnection::close); // the client itself belongs to the caller
    }
}
