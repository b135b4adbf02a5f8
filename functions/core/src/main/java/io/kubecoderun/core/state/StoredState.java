package io.kubecoderun.core.state;

/** A state as stored (version byte + payload) and where it came from: {@code redis} (hot) or {@code archive}. */
public record StoredState(byte[] bytes, String source) {}
