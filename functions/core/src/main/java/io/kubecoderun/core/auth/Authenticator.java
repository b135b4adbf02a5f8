package io.kubecoderun.core.auth;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.api.ApiHeaders;
import io.kubecoderun.core.api.ErrorType;
import io.kubecoderun.core.ratelimit.RateLimiter;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Decides who is calling, with several modes on at once: an API key in {@code x-api-key},
 * {@code Authorization: Bearer}, {@code Authorization: ApiKey} or as the user part of {@code Authorization: Basic}
 * (a base URL written {@code https://KEY@host}), or — for older LibreChat agents — in the
 * {@code /exec} body as {@code LIBRECHAT_CODE_API_KEY}, {@code api_key} or {@code apiKey} (a header wins over the
 * body); a LibreChat JWT as the bearer token; and, only when switched on, trusted-network mode with no
 * credentials at all. Every principal it names is then admitted under the rate limit: over it, the request is
 * refused with {@link ApiException.RateLimited} (429) before any work.
 */
public final class Authenticator {
    private static final Logger LOG = Logger.getLogger(Authenticator.class.getName());
    private static final String[] BODY_FIELDS = {"LIBRECHAT_CODE_API_KEY", "api_key", "apiKey"};

    private final ApiKeys keys;
    private final JwtVerifier jwt;
    private final boolean trustedNetwork;
    private final RateLimiter rateLimiter;

    /** @param jwt null when no LibreChat public key is configured */
    public Authenticator(ApiKeys keys, JwtVerifier jwt, boolean trustedNetwork, RateLimiter rateLimiter) {
        this.keys = keys;
        this.jwt = jwt;
        this.trustedNetwork = trustedNetwork;
        this.rateLimiter = rateLimiter;
    }

    /** Without a rate limit. */
    public Authenticator(ApiKeys keys, JwtVerifier jwt, boolean trustedNetwork) {
        this(keys, jwt, trustedNetwork, RateLimiter.UNLIMITED);
    }

    /**
     * @param header a request header by name (any case; the caller's lookup must ignore case)
     * @param body   the parsed JSON body when the route takes one (may be null)
     * @throws ApiException.RateLimited when the principal is over its rate limit
     */
    public Principal authenticate(Function<String, String> header, Map<String, Object> body) throws AuthException {
        return admit(identify(header, body));
    }

    /**
     * The admin API's check: only {@code MASTER_API_KEY}, from a header (never a body), and only when one is
     * configured. Counted under the rate limit like any caller.
     *
     * @throws ApiException.Forbidden {@code admin_disabled} without a master key, {@code forbidden} for any other
     *                                valid credential
     * @throws AuthException          for missing or unknown credentials
     */
    public Principal authenticateAdmin(Function<String, String> header) throws AuthException {
        if (!keys.hasMaster()) {
            throw new ApiException.Forbidden(ErrorType.ADMIN_DISABLED, "the admin API is off: set MASTER_API_KEY");
        }
        String presented = fromHeaders(header)
                .orElseThrow(() -> new AuthException("missing credentials: send the master key in x-api-key"));
        if (!keys.isMaster(presented)) {
            identify(header, null); // an unknown key is a 401, a valid other credential a 403
            LOG.info("event=admin_refused reason=not_master");
            throw new ApiException.Forbidden(ErrorType.FORBIDDEN, "the admin API needs the master key");
        }
        return admit(new Principal("admin", Principal.Kind.API_KEY));
    }

    /** Keys created through the admin API, when a store is configured. */
    public java.util.Optional<StoredKeys> storedKeys() {
        return keys.stored();
    }

    /**
     * Counts one request of a principal named some other way (a trusted event's {@code kcrprincipal}).
     *
     * @throws ApiException.RateLimited when it is over its rate limit
     */
    public Principal admit(Principal principal) {
        long retryAfter = rateLimiter.acquire(principal.id());
        if (retryAfter > 0) {
            LOG.info("event=rate_limited principal=" + principal.id() + " retry_after_s=" + retryAfter);
            throw new ApiException.RateLimited(retryAfter);
        }
        return principal;
    }

    private Principal identify(Function<String, String> header, Map<String, Object> body) throws AuthException {
        Optional<String> presented = fromHeaders(header);
        if (presented.isEmpty() && body != null) {
            presented = fromBody(body);
        }
        if (presented.isEmpty()) {
            if (trustedNetwork) {
                return Principal.TRUSTED;
            }
            throw new AuthException("missing credentials: send an API key in x-api-key or Authorization");
        }
        String credential = presented.get();
        if (jwt != null && JwtVerifier.looksLikeJwt(credential)) {
            return jwt.verify(credential);
        }
        return keys.authenticate(credential).orElseThrow(() -> new AuthException("invalid API key"));
    }

    static Optional<String> fromHeaders(Function<String, String> header) throws AuthException {
        String apiKey = header.apply(ApiHeaders.API_KEY);
        if (apiKey != null && !apiKey.isBlank()) {
            return Optional.of(apiKey.strip());
        }
        String authorization = header.apply(ApiHeaders.AUTHORIZATION);
        if (authorization != null) {
            String value = authorization.strip();
            int space = value.indexOf(' ');
            if (space > 0) {
                String scheme = value.substring(0, space).toLowerCase(Locale.ROOT);
                String credential = value.substring(space + 1).strip();
                if ((scheme.equals("bearer") || scheme.equals("apikey")) && !credential.isEmpty()) {
                    return Optional.of(credential);
                }
                if (scheme.equals("basic") && !credential.isEmpty()) {
                    return fromBasic(credential);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * A base URL written {@code https://KEY@host/v1} makes clients send {@code Basic base64("KEY:")} (axios, WHATWG
     * URLs) or {@code Basic base64("KEY")} (node-fetch 2 through {@code url.parse}): the key is the user part, or
     * the password when the user part is empty ({@code https://:KEY@host}). Credentials that are not base64 are
     * refused; {@code base64(":")} is no credential at all.
     */
    static Optional<String> fromBasic(String token) throws AuthException {
        String decoded;
        try {
            decoded = new String(java.util.Base64.getDecoder().decode(token), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new AuthException("malformed Basic credentials: expected base64 of KEY: (the key as user)");
        }
        int colon = decoded.indexOf(':');
        String user = colon < 0 ? decoded : decoded.substring(0, colon);
        String password = colon < 0 ? "" : decoded.substring(colon + 1);
        String key = !user.isBlank() ? user : password;
        return key.isBlank() ? Optional.empty() : Optional.of(key.strip());
    }

    static Optional<String> fromBody(Map<String, Object> body) {
        for (String field : BODY_FIELDS) {
            if (body.get(field) instanceof String value && !value.isBlank()) {
                return Optional.of(value.strip());
            }
        }
        return Optional.empty();
    }
}
