package io.kubecoderun.exec.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ApiHeaders;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.exec.programmatic.ExpiringValues;
import io.kubecoderun.exec.service.ExecRequest;
import io.kubecoderun.exec.service.ExecService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The exec CloudEvent at {@code POST /}, as a Knative Broker delivers it, in binary mode ({@code ce-*} headers,
 * the {@code /exec} body as data) or structured mode ({@code application/cloudevents+json}): an
 * {@code io.kubecoderun.exec.request} is answered, in the same mode, with {@code io.kubecoderun.exec.result}
 * (same source, subject the session id, data the {@code /exec} answer). A request the API would refuse is answered
 * with {@code io.kubecoderun.exec.error} ({@code {"error","error_type"}}); an unavailable dependency (503) or a
 * caller over its rate limit (429) is answered with that status, so the broker retries with back-off. Written by
 * hand rather than with Funqy, whose body handler broke the other routes' request bodies over HTTP/2.
 *
 * <p>Credentials: the API key in the data (as in {@code /exec}) or in the extension {@code kcrapikey}; the
 * extension {@code kcrprincipal} names the caller only when {@code KCR_TRUST_EVENT_PRINCIPAL=true}, for
 * deployments where only the Broker can reach this function (its trust boundary, enforced by NetworkPolicy).
 *
 * <p>Once per event: a Broker delivers at least once, and redelivers when it did not see the answer (a lost
 * connection, a timeout, a 5xx on the way) although the code may have run. CloudEvents make {@code source} +
 * {@code id} unique per event and let a consumer treat a repeat as a duplicate, so an event whose caller,
 * {@code source} and {@code id} were seen within {@link #REPLAY_WINDOW} is not run again: a redelivery after the
 * answer gets that answer again (same reply {@code id}, so a consumer can drop the second copy), one while it still
 * runs gets 409 {@code request_id_in_use} (the Broker retries 409 with its back-off). Kept in Redis where there is
 * one ({@link ExpiringValues}, shared by every replica), else in memory. A 503 or 429 releases the id: nothing
 * was answered, the retry runs. An event without an {@code id} is run every time.
 */
@Path("/")
public class ExecEvents {
    public static final String REQUEST_TYPE = "io.kubecoderun.exec.request";
    public static final String RESULT_TYPE = "io.kubecoderun.exec.result";
    public static final String ERROR_TYPE = "io.kubecoderun.exec.error";
    private static final String STRUCTURED = "application/cloudevents+json";
    /**
     * How long an answer is kept for a redelivery: longer than the Trigger's whole retry schedule (six attempts of
     * at most its delivery timeout, plus the back-off; DeploymentManifestsTest checks knative/ against it).
     */
    public static final Duration REPLAY_WINDOW = Duration.ofHours(1);
    /** Beyond MAX_EXECUTION_TIME, the longest a claimed event may run (a sandbox wait, a cold language, stores). */
    static final Duration RUNNING_SLACK = Duration.ofMinutes(5);

    private static final Logger LOG = Logger.getLogger(ExecEvents.class.getName());
    private static final String RUNNING = "running";
    private static final String KEY_PREFIX = "exec-event:";
    private static final Set<String> ATTRIBUTES = Set.of(
            "specversion",
            "type",
            "source",
            "id",
            "subject",
            "time",
            "datacontenttype",
            "dataschema",
            "data",
            "data_base64");

    @Inject
    ExecService service;

    @Inject
    Authenticator authenticator;

    @Inject
    ObjectMapper mapper;

    @Inject
    KcrSettings settings;

    @Inject
    ExpiringValues answers;

    /** The data of an {@code io.kubecoderun.exec.error} event: a request the API refuses, never retried. */
    @JsonPropertyOrder({"error", "error_type", "request_event_id"})
    record ErrorEventData(
            String error,

            @JsonProperty("error_type") String errorType,

            @JsonProperty("request_event_id") String requestEventId) {}

    private record Event(
            String type, String source, String id, Map<String, String> extensions, Map<String, Object> data) {}

    /** The event is running elsewhere: answered 409 (not an error event, which the Broker would not retry). */
    private static final class Running extends RuntimeException {
        final ApiException.Conflict conflict;

        Running(ApiException.Conflict conflict) {
            super(null, null, false, false);
            this.conflict = conflict;
        }
    }

    /** The reply event, as sent and as kept for a redelivery. */
    record Answer(String type, String subject, String id, JsonNode data) {}

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(byte[] body, HttpHeaders headers) {
        String contentType = headers.getHeaderString("Content-Type");
        boolean structured =
                contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith(STRUCTURED);
        Event event = structured ? structured(body) : binary(body, headers);
        if (!REQUEST_TYPE.equals(event.type())) {
            throw new ApiException.BadRequest(
                    ErrorType.UNSUPPORTED_EVENT,
                    "this function accepts " + REQUEST_TYPE + " events, not " + event.type());
        }
        String source = event.source() == null ? "/kubecoderun" : event.source();
        Answer answer;
        try {
            Principal principal = principal(event);
            ExecRequest request = ExecJson.request(event.data());
            answer = event.id() == null || event.id().isEmpty()
                    ? run(principal, request)
                    : once(key(principal, source, event.id()), source, event.id(), () -> run(principal, request));
        } catch (Running running) {
            throw running.conflict;
        } catch (ApiException.Unavailable | ApiException.RateLimited e) {
            throw e;
        } catch (ApiException e) {
            answer = refusal(e, event.id());
        }
        return structured ? structuredAnswer(answer, source) : binaryAnswer(answer, source);
    }

    private Answer run(Principal principal, ExecRequest request) {
        ExecResponse result = ExecResponse.of(service.execute(principal, request));
        return new Answer(RESULT_TYPE, result.sessionId(), Ids.next(), mapper.valueToTree(result));
    }

    private Answer refusal(ApiException e, String eventId) {
        return new Answer(
                ERROR_TYPE,
                null,
                Ids.next(),
                mapper.valueToTree(new ErrorEventData(e.getMessage(), e.errorType(), eventId)));
    }

    /**
     * Runs the event unless its key was seen: the kept answer for a redelivery, 409 while it runs. The claim is
     * atomic ({@link ExpiringValues#putIfAbsent}), so of two replicas receiving one event, one runs it.
     */
    private Answer once(String key, String source, String id, java.util.function.Supplier<Answer> run) {
        Optional<String> kept = store(() -> answers.get(key));
        if (kept.isEmpty()
                && store(() -> answers.putIfAbsent(
                        key, RUNNING, settings.maxExecutionTime().plus(RUNNING_SLACK)))) {
            Answer answer;
            try {
                answer = run.get();
            } catch (ApiException.Unavailable | ApiException.RateLimited e) {
                release(key);
                throw e;
            } catch (ApiException e) {
                answer = refusal(e, id);
            } catch (RuntimeException | Error e) {
                release(key);
                throw e;
            }
            try {
                answers.put(key, mapper.writeValueAsString(answer), REPLAY_WINDOW);
            } catch (IOException | RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "cannot keep the answer of event " + source + " " + id
                                + " for a redelivery; a redelivery waits for the claim to expire",
                        e);
            }
            return answer;
        }
        String value = kept.orElseGet(() -> store(() -> answers.get(key)).orElse(RUNNING));
        if (value.equals(RUNNING)) {
            throw new Running(new ApiException.Conflict(
                    ErrorType.REQUEST_ID_IN_USE,
                    "the event " + id + " from " + source + " is running; a redelivery after it ends gets its answer"));
        }
        LOG.info(() -> "event " + id + " from " + source + " was answered before: its answer again");
        try {
            return mapper.readValue(value, Answer.class);
        } catch (IOException e) {
            throw new IllegalStateException("unreadable kept answer of event " + id, e);
        }
    }

    private void release(String key) {
        try {
            answers.delete(key);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot release event claim " + key, e);
        }
    }

    /** A store call; the store down is a dependency down (503, the Broker retries). */
    private static <T> T store(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "event store unreachable", e);
            throw new ApiException.Unavailable(
                    ErrorType.DEPENDENCY_UNAVAILABLE, "cannot reach the store of answered events", 1);
        }
    }

    /** Per caller: another caller's event with the same source and id is another event (and sees no answer). */
    private static String key(Principal principal, String source, String id) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(principal.id(), source, id)) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return KEY_PREFIX + HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Event structured(byte[] body) {
        Map<String, Object> envelope = parse(body);
        Map<String, String> extensions = new LinkedHashMap<>();
        envelope.forEach((k, v) -> {
            if (!ATTRIBUTES.contains(k) && v instanceof String s) {
                extensions.put(k, s);
            }
        });
        Object data = envelope.get("data");
        if (data != null && !(data instanceof Map)) {
            throw new ApiException.Unprocessable("the event's data must be a JSON object");
        }
        return new Event(
                string(envelope.get("type")),
                string(envelope.get("source")),
                string(envelope.get("id")),
                extensions,
                data == null ? Map.of() : (Map<String, Object>) data);
    }

    private Event binary(byte[] body, HttpHeaders headers) {
        if (headers.getHeaderString("ce-specversion") == null) {
            throw new ApiException.BadRequest(
                    ErrorType.NOT_AN_EVENT, "POST / takes a CloudEvent (ce-* headers or " + STRUCTURED + ")");
        }
        Map<String, String> extensions = new LinkedHashMap<>();
        headers.getRequestHeaders().forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("ce-") && !ATTRIBUTES.contains(lower.substring(3)) && !values.isEmpty()) {
                extensions.put(lower.substring(3), values.get(0));
            }
        });
        return new Event(
                headers.getHeaderString("ce-type"),
                headers.getHeaderString("ce-source"),
                headers.getHeaderString("ce-id"),
                extensions,
                body.length == 0 ? Map.of() : parse(body));
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parse(byte[] body) {
        try {
            Object parsed = mapper.readValue(body, Object.class);
            if (!(parsed instanceof Map)) {
                throw new ApiException.Unprocessable("the event must be a JSON object");
            }
            return (Map<String, Object>) parsed;
        } catch (IOException e) {
            throw new ApiException.Unprocessable("malformed event JSON");
        }
    }

    private static String string(Object value) {
        return value instanceof String s ? s : null;
    }

    private Principal principal(Event event) {
        String named = event.extensions().get("kcrprincipal");
        if (settings.trustEventPrincipal() && named != null && !named.isBlank()) {
            return authenticator.admit(new Principal(named, Principal.Kind.TRUSTED));
        }
        try {
            String key = event.extensions().get("kcrapikey");
            return authenticator.authenticate(
                    name -> name.equalsIgnoreCase(ApiHeaders.API_KEY) ? key : null, event.data());
        } catch (AuthException e) {
            throw new ApiException.Unauthorized(e.getMessage());
        }
    }

    private static Response binaryAnswer(Answer a, String source) {
        Response.ResponseBuilder answer = Response.ok(a.data(), MediaType.APPLICATION_JSON)
                .header("ce-specversion", "1.0")
                .header("ce-type", a.type())
                .header("ce-source", source)
                .header("ce-id", a.id());
        if (a.subject() != null) {
            answer.header("ce-subject", a.subject());
        }
        return answer.build();
    }

    private static Response structuredAnswer(Answer a, String source) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("specversion", "1.0");
        envelope.put("type", a.type());
        envelope.put("source", source);
        envelope.put("id", a.id());
        if (a.subject() != null) {
            envelope.put("subject", a.subject());
        }
        envelope.put("datacontenttype", "application/json");
        envelope.put("data", a.data());
        return Response.ok(envelope, STRUCTURED).build();
    }
}
