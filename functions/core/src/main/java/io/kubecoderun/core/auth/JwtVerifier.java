package io.kubecoderun.core.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;

/**
 * LibreChat's tokens: a compact JWS signed with EdDSA (Ed25519) or RS256 by the configured public key, with
 * {@code iss=librechat}, {@code aud=codeapi} (a string or an array holding it), {@code sub} the user, a required
 * {@code exp} and an optional {@code nbf}, within a small clock leeway. The algorithm must match the key's type,
 * so a token cannot choose how it is checked ({@code none}, or HS256 with the public key as secret, fail).
 */
public final class JwtVerifier {
    /** Clock difference tolerated between LibreChat and us. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();
    /** Tokens are small; a huge one is refused before any parsing. */
    private static final int MAX_TOKEN_CHARS = 8192;

    private final PublicKey key;
    private final String algorithm;
    private final String issuer;
    private final String audience;
    private final Clock clock;
    private final Duration leeway;

    public JwtVerifier(PublicKey key, String issuer, String audience, Clock clock, Duration leeway) {
        this.key = key;
        if (key instanceof EdECPublicKey) {
            this.algorithm = "EdDSA";
        } else if (key instanceof RSAPublicKey) {
            this.algorithm = "RS256";
        } else {
            throw new IllegalArgumentException("the JWT key must be Ed25519 or RSA, not " + key.getAlgorithm());
        }
        this.issuer = issuer;
        this.audience = audience;
        this.clock = clock;
        this.leeway = leeway;
    }

    /** Reads a PEM {@code PUBLIC KEY} (X.509 SubjectPublicKeyInfo), Ed25519 or RSA. */
    public static PublicKey parsePublicKey(String pem) {
        String base64 = pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").replaceAll("\\s", "");
        byte[] der = Base64.getDecoder().decode(base64);
        for (String type : new String[] {"Ed25519", "RSA"}) {
            try {
                return KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException notThisType) {
                // Try the next.
            }
        }
        throw new IllegalArgumentException("not an Ed25519 or RSA public key in PEM form");
    }

    /** True when {@code token} has the shape of a JWT (three base64url parts), so it is not taken for an API key. */
    public static boolean looksLikeJwt(String token) {
        return token != null && token.chars().filter(c -> c == '.').count() == 2 && token.startsWith("eyJ");
    }

    public Principal verify(String token) throws AuthException {
        if (token == null || token.length() > MAX_TOKEN_CHARS) {
            throw new AuthException("invalid token");
        }
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            throw new AuthException("malformed token");
        }
        JsonNode header = decode(parts[0]);
        if (!algorithm.equals(header.path("alg").asText())) {
            throw new AuthException("token algorithm not accepted");
        }
        checkSignature(parts);
        JsonNode claims = decode(parts[1]);
        long now = clock.instant().getEpochSecond();
        if (!claims.path("exp").isNumber()) {
            throw new AuthException("token has no expiry");
        }
        if (claims.path("exp").asLong() + leeway.toSeconds() < now) {
            throw new AuthException("token expired");
        }
        if (claims.path("nbf").isNumber() && claims.path("nbf").asLong() - leeway.toSeconds() > now) {
            throw new AuthException("token not yet valid");
        }
        if (!issuer.equals(claims.path("iss").asText())) {
            throw new AuthException("token issuer not accepted");
        }
        if (!hasAudience(claims.path("aud"))) {
            throw new AuthException("token audience not accepted");
        }
        String subject = claims.path("sub").asText("");
        if (subject.isBlank()) {
            throw new AuthException("token has no subject");
        }
        String tenant = claims.path("tenant_id").asText(claims.path("tenant").asText(""));
        return new Principal("jwt:" + tenant + ":" + subject, Principal.Kind.JWT);
    }

    private boolean hasAudience(JsonNode aud) {
        if (aud.isTextual()) {
            return audience.equals(aud.asText());
        }
        if (aud.isArray()) {
            for (JsonNode item : aud) {
                if (audience.equals(item.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    private void checkSignature(String[] parts) throws AuthException {
        try {
            Signature signature = Signature.getInstance(algorithm.equals("EdDSA") ? "Ed25519" : "SHA256withRSA");
            signature.initVerify(key);
            signature.update((parts[0] + "." + parts[1]).getBytes(StandardCharsets.US_ASCII));
            if (!signature.verify(B64URL.decode(parts[2]))) {
                throw new AuthException("token signature invalid");
            }
        } catch (IllegalArgumentException | GeneralSecurityException e) {
            throw new AuthException("token signature invalid");
        }
    }

    private static JsonNode decode(String part) throws AuthException {
        try {
            JsonNode node = JSON.readTree(B64URL.decode(part));
            if (node == null || !node.isObject()) {
                throw new AuthException("malformed token");
            }
            return node;
        } catch (IllegalArgumentException | java.io.IOException e) {
            throw new AuthException("malformed token");
        }
    }
}
