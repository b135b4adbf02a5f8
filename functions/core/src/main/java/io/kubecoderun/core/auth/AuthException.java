package io.kubecoderun.core.auth;

/** Credentials missing or invalid: answered with 401. The message is safe to show; it never echoes a key. */
public final class AuthException extends Exception {
    public AuthException(String message) {
        super(message);
    }
}
