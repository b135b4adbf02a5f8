package io.kubecoderun.exec.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ApiHeaders;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.auth.AuthException;
import io.kubecoderun.core.auth.Authenticator;
import io.kubecoderun.core.auth.Principal;
import io.kubecoderun.core.config.KcrSettings;
import io.kubecoderun.core.ids.Ids;
import io.kubecoderun.exec.service.ExecService;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
 */
@Path("/")
public class ExecEvents {
    public static final String REQUEST_TYPE = "io.kubecoderun.exec.request";
    public static final String RESULT_TYPE = "io.kubecoderun.exec.result";
    public static final String ERROR_TYPE = "io.kubecoderun.exec.error";
    private static final String STRUCTURED = "application/cloudevents+json";
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

    /** The data of an {@code io.kubecoderun.exec.error} event: a request the API refuses, never retried. */
    @JsonPropertyOrder({"error", "error_type", "request_event_id"})
    record ErrorEventData(
            String error,

            @JsonProperty("error_type") String errorType,

            @JsonProperty("request_event_id") String requestEventId) {}

    private record Event(
            String type, String source, String id, Map<String, String> extensions, Map<String, Object> data) {}

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
        String type;
        String subject = null;
        Object data;
        try {
            ExecResponse result = ExecResponse.of(service.execute(principal(event), ExecJson.request(event.data())));
            data = result;
            type = RESULT_TYPE;
            subject = result.sessionId();
        } catch (ApiException.Unavailable | ApiException.RateLimited e) {
            throw e;
        } catch (ApiException e) {
            data = new ErrorEventData(e.getMessage(), e.errorType(), event.id());
            type = ERROR_TYPE;
        }
        return structured ? structuredAnswer(type, source, subject, data) : binaryAnswer(type, source, subject, data);
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

    private static Response binaryAnswer(String type, String source, String subject, Object data) {
        Response.ResponseBuilder answer = Response.ok(data, MediaType.APPLICATION_JSON)
                .header("ce-specversion", "1.0")
                .header("ce-type", type)
                .header("ce-source", source)
                .header("ce-id", Ids.next());
        if (subject != null) {
            answer.header("ce-subject", subject);
        }
        return answer.build();
    }

    private static Response structuredAnswer(String type, String source, String subject, Object data) {
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("specversion", "1.0");
        envelope.put("type", type);
        envelope.put("source", source);
        envelope.put("id", Ids.next());
        if (subject != null) {
            envelope.put("subject", subject);
        }
        envelope.put("datacontenttype", "application/json");
        envelope.put("data", data);
        return Response.ok(envelope, STRUCTURED).build();
    }
}
