package io.kubecoderun.core.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.Signature;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LibreChat JWTs, signed here with real Ed25519 and RSA keys. Each refusal below is an attack or a mistake a
 * verifier must catch; the accepted cases pin what LibreChat sends.
 */
class JwtVerifierTest {
    static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");
    static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    static KeyPair ed;
    static KeyPair edOther;
    static KeyPair rsa;

    @BeforeAll
    static void keys() throws Exception {
        ed = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        edOther = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        KeyPairGenerator rsaGen = KeyPairGenerator.getInstance("RSA");
        rsaGen.initialize(2048);
        rsa = rsaGen.generateKeyPair();
    }

    static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    static String sign(String alg, PrivateKey key, String claims) throws Exception {
        String signingInput = b64("{\"alg\":\"" + alg + "\",\"typ\":\"JWT\"}") + "." + b64(claims);
        Signature s = Signature.getInstance(alg.equals("EdDSA") ? "Ed25519" : "SHA256withRSA");
        s.initSign(key);
        s.update(signingInput.getBytes(StandardCharsets.US_ASCII));
        return signingInput + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.sign());
    }

    static String claims(Map<String, Object> overrides) {
        Map<String, Object> c = new java.util.LinkedHashMap<>(Map.of(
                "iss",
                "librechat",
                "aud",
                "codeapi",
                "sub",
                "user-42",
                "exp",
                NOW.getEpochSecond() + 300,
                "nbf",
                NOW.getEpochSecond() - 10));
        c.putAll(overrides);
        StringBuilder sb = new StringBuilder("{");
        c.forEach((k, v) -> {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append('"').append(k).append("\":");
            if (v instanceof String s) {
                sb.append('"').append(s).append('"');
            } else if (v instanceof List<?> l) {
                sb.append('[');
                for (int i = 0; i < l.size(); i++) {
                    sb.append(i > 0 ? "," : "").append('"').append(l.get(i)).append('"');
                }
                sb.append(']');
            } else {
                sb.append(v);
            }
        });
        return sb.append('}').toString();
    }

    static JwtVerifier verifier(KeyPair pair) {
        return new JwtVerifier(pair.getPublic(), "librechat", "codeapi", CLOCK, Duration.ofSeconds(30));
    }

    @Test
    void aValidEd25519TokenNamesTheTenantAndUser() throws Exception {
        String token = sign("EdDSA", ed.getPrivate(), claims(Map.of("tenant_id", "acme")));
        Principal principal = verifier(ed).verify(token);
        assertEquals(new Principal("jwt:acme:user-42", Principal.Kind.JWT), principal);
        assertTrue(JwtVerifier.looksLikeJwt(token));
    }

    @Test
    void aValidRs256TokenWithAnAudienceArrayIsAccepted() throws Exception {
        String token = sign("RS256", rsa.getPrivate(), claims(Map.of("aud", List.of("other", "codeapi"))));
        assertEquals("jwt::user-42", verifier(rsa).verify(token).id());
    }

    @Test
    void aPemPublicKeyIsRead() throws Exception {
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder().encodeToString(ed.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
        JwtVerifier fromPem =
                new JwtVerifier(JwtVerifier.parsePublicKey(pem), "librechat", "codeapi", CLOCK, Duration.ZERO);
        fromPem.verify(sign("EdDSA", ed.getPrivate(), claims(Map.of())));
    }

    private static void refused(JwtVerifier verifier, String token, String reason) {
        AuthException e = assertThrows(AuthException.class, () -> verifier.verify(token));
        assertEquals(reason, e.getMessage());
    }

    @Test
    void aTokenSignedByAnotherKeyIsRefused() throws Exception {
        refused(verifier(ed), sign("EdDSA", edOther.getPrivate(), claims(Map.of())), "token signature invalid");
    }

    @Test
    void aTamperedPayloadIsRefused() throws Exception {
        String[] parts = sign("EdDSA", ed.getPrivate(), claims(Map.of())).split("\\.");
        String forged = parts[0] + "." + b64(claims(Map.of("sub", "admin"))) + "." + parts[2];
        refused(verifier(ed), forged, "token signature invalid");
    }

    @Test
    void expiredNotYetValidAndExpirylessTokensAreRefused() throws Exception {
        refused(
                verifier(ed),
                sign("EdDSA", ed.getPrivate(), claims(Map.of("exp", NOW.getEpochSecond() - 31))),
                "token expired");
        verifier(ed).verify(sign("EdDSA", ed.getPrivate(), claims(Map.of("exp", NOW.getEpochSecond() - 29))));
        refused(
                verifier(ed),
                sign("EdDSA", ed.getPrivate(), claims(Map.of("nbf", NOW.getEpochSecond() + 60))),
                "token not yet valid");
        String noExp = "{\"iss\":\"librechat\",\"aud\":\"codeapi\",\"sub\":\"u\"}";
        refused(verifier(ed), sign("EdDSA", ed.getPrivate(), noExp), "token has no expiry");
    }

    @Test
    void theWrongAudienceIssuerOrNoSubjectIsRefused() throws Exception {
        refused(
                verifier(ed),
                sign("EdDSA", ed.getPrivate(), claims(Map.of("aud", "other"))),
                "token audience not accepted");
        refused(
                verifier(ed),
                sign("EdDSA", ed.getPrivate(), claims(Map.of("iss", "evil"))),
                "token issuer not accepted");
        refused(verifier(ed), sign("EdDSA", ed.getPrivate(), claims(Map.of("sub", ""))), "token has no subject");
    }

    @Test
    void theTokenCannotChooseHowItIsChecked() throws Exception {
        String claims = claims(Map.of());
        refused(verifier(ed), b64("{\"alg\":\"none\"}") + "." + b64(claims) + ".", "token algorithm not accepted");
        refused(verifier(ed), sign("RS256", rsa.getPrivate(), claims), "token algorithm not accepted");
        refused(verifier(rsa), sign("EdDSA", ed.getPrivate(), claims), "token algorithm not accepted");
        refused(verifier(ed), b64("{\"alg\":\"HS256\"}") + "." + b64(claims) + ".c2ln", "token algorithm not accepted");
    }

    @Test
    void malformedTokensAreRefused() {
        for (String token : new String[] {"", "a.b", "a.b.c.d", "!!!.###.$$$", "x".repeat(9000)}) {
            assertThrows(AuthException.class, () -> verifier(ed).verify(token), token);
        }
    }

    @Test
    void aJwtBearerIsVerifiedByTheAuthenticatorAndAKeyStillWorks() throws Exception {
        Authenticator auth = new Authenticator(new ApiKeys(List.of("plain-key")), verifier(ed), false);
        String token = sign("EdDSA", ed.getPrivate(), claims(Map.of()));
        assertEquals(
                Principal.Kind.JWT,
                auth.authenticate(AuthenticatorTest.headers("Authorization", "Bearer " + token), null)
                        .kind());
        assertEquals(
                Principal.Kind.API_KEY,
                auth.authenticate(AuthenticatorTest.headers("Authorization", "Bearer plain-key"), null)
                        .kind());
        String expired = sign("EdDSA", ed.getPrivate(), claims(Map.of("exp", NOW.getEpochSecond() - 100)));
        assertThrows(
                AuthException.class,
                () -> auth.authenticate(AuthenticatorTest.headers("Authorization", "Bearer " + expired), null));
    }
}
