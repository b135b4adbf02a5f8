package io.kubecoderun.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.core.api.ApiException;
import io.kubecoderun.core.ratelimit.InMemoryRateLimiter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class AuthenticatorTest {
    static final String KEY = "kcr-test-key-0123456789";
    static final String OTHER = "kcr-other-key-9876543210";
    final Authenticator auth = new Authenticator(new ApiKeys(List.of(KEY, OTHER)), null, false);

    static Function<String, String> headers(String... pairs) {
        Map<String, String> map = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            map.put(pairs[i].toLowerCase(Locale.ROOT), pairs[i + 1]);
        }
        return name -> map.get(name.toLowerCase(Locale.ROOT));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "x-api-key|" + KEY,
                "X-API-Key|" + KEY,
                "Authorization|Bearer " + KEY,
                "authorization|bearer " + KEY,
                "Authorization|ApiKey " + KEY,
                "Authorization|  Bearer   " + KEY + "  "
            })
    void aKeyIsAcceptedInEveryHeaderForm(String header, String value) throws AuthException {
        Principal principal = auth.authenticate(headers(header, value), null);
        assertEquals(Principal.Kind.API_KEY, principal.kind());
        assertTrue(principal.id().startsWith("key:"));
        assertFalse(principal.id().contains(KEY), "the principal must not carry the key");
    }

    @ParameterizedTest(name = "body field {0}")
    @CsvSource({"LIBRECHAT_CODE_API_KEY", "api_key", "apiKey"})
    void olderLibreChatAgentsMaySendTheKeyInTheBody(String field) throws AuthException {
        assertEquals(
                Principal.Kind.API_KEY,
                auth.authenticate(headers(), Map.of(field, KEY)).kind());
    }

    @Test
    void aHeaderWinsOverTheBody() throws AuthException {
        Principal viaHeader = auth.authenticate(headers("x-api-key", OTHER), Map.of("api_key", KEY));
        assertEquals(auth.authenticate(headers("x-api-key", OTHER), null), viaHeader);
        assertThrows(
                AuthException.class,
                () -> auth.authenticate(headers("x-api-key", "wrong"), Map.of("api_key", KEY)),
                "a wrong header key must not fall back to a right body key");
    }

    @Test
    void differentKeysAreDifferentPrincipals() throws AuthException {
        Principal a = auth.authenticate(headers("x-api-key", KEY), null);
        Principal b = auth.authenticate(headers("x-api-key", OTHER), null);
        assertFalse(a.id().equals(b.id()));
    }

    @Test
    void missingAndWrongKeysAreRefusedUnlessTrustedNetworkModeIsOn() {
        assertThrows(AuthException.class, () -> auth.authenticate(headers(), null));
        assertThrows(AuthException.class, () -> auth.authenticate(headers("x-api-key", KEY + "x"), null));
        assertThrows(AuthException.class, () -> auth.authenticate(headers("Authorization", "Basic " + KEY), null));
        assertThrows(AuthException.class, () -> auth.authenticate(headers(), Map.of("api_key", 42)));
        Authenticator trusted = new Authenticator(new ApiKeys(List.of(KEY)), null, true);
        try {
            assertEquals(Principal.TRUSTED, trusted.authenticate(headers(), null));
        } catch (AuthException e) {
            throw new AssertionError(e);
        }
        assertThrows(
                AuthException.class,
                () -> trusted.authenticate(headers("x-api-key", "wrong"), null),
                "a wrong key is refused even in trusted mode");
    }

    @Test
    void onlyTheMasterKeyFromAHeaderOpensTheAdminApi() throws AuthException {
        Authenticator admin =
                new Authenticator(new ApiKeys(List.of(KEY), "the-master-key", new InMemoryStoredKeys()), null, false);
        assertEquals(
                "admin",
                admin.authenticateAdmin(headers("x-api-key", "the-master-key")).id());
        assertEquals(
                "admin",
                admin.authenticateAdmin(headers("authorization", "Bearer the-master-key"))
                        .id());
        assertEquals(
                "forbidden",
                assertThrows(
                                io.kubecoderun.core.api.ApiException.Forbidden.class,
                                () -> admin.authenticateAdmin(headers("x-api-key", KEY)))
                        .errorType(),
                "a valid non-master key: 403");
        assertThrows(AuthException.class, () -> admin.authenticateAdmin(headers("x-api-key", "wrong")));
        assertThrows(AuthException.class, () -> admin.authenticateAdmin(headers("x-other", "the-master-key")));
        assertEquals(
                "admin_disabled",
                assertThrows(
                                io.kubecoderun.core.api.ApiException.Forbidden.class,
                                () -> auth.authenticateAdmin(headers("x-api-key", KEY)))
                        .errorType(),
                "no master key configured");
    }

    @Test
    void keysComeFromTheOriginalSettingsNames() throws AuthException {
        ApiKeys keys = ApiKeys.fromSettings("single", " a , b ,", "master", null);
        for (String key : List.of("single", "a", "b", "master")) {
            assertTrue(keys.authenticate(key).isPresent(), key);
        }
        assertTrue(keys.authenticate("").isEmpty());
        assertTrue(ApiKeys.fromSettings(null, null, null, null).isEmpty());
        assertTrue(keys.isMaster("master"));
        assertFalse(keys.isMaster("single"));
    }

    @Test
    void aPrincipalOverItsRateLimitIsRefusedWith429AndOthersAreNot() throws AuthException {
        AtomicLong now = new AtomicLong();
        Authenticator limited = new Authenticator(
                new ApiKeys(List.of(KEY, OTHER)), null, false, new InMemoryRateLimiter(60, 2, now::get));
        limited.authenticate(headers("x-api-key", KEY), null);
        limited.authenticate(headers("x-api-key", KEY), null);
        ApiException.RateLimited refused = assertThrows(
                ApiException.RateLimited.class, () -> limited.authenticate(headers("x-api-key", KEY), null));
        assertEquals(429, refused.status());
        assertEquals(1, refused.retryAfterSeconds());
        assertEquals(
                "key:",
                limited.authenticate(headers("x-api-key", OTHER), null).id().substring(0, 4),
                "another key has its own bucket");
        assertThrows(
                AuthException.class,
                () -> limited.authenticate(headers("x-api-key", "wrong"), null),
                "a wrong key is refused as unauthorized, never admitted");
        now.addAndGet(1_000_000_000L);
        limited.authenticate(headers("x-api-key", KEY), null);
    }
}
