package io.kubecoderun.core.auth;

/**
 * Who is calling: every session and file belongs to one principal, and another principal gets 404. {@code id} is
 * stable and not secret: {@code key:<fingerprint>} for an API key, {@code jwt:<tenant>:<sub>} for a LibreChat
 * token, {@code trusted} in trusted-network mode.
 */
public record Principal(String id, Kind kind) {

    public enum Kind {
        API_KEY,
        JWT,
        TRUSTED
    }

    public static final Principal TRUSTED = new Principal("trusted", Kind.TRUSTED);
}
