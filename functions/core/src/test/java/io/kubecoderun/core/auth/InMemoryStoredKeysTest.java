package io.kubecoderun.core.auth;

class InMemoryStoredKeysTest extends StoredKeysContract {
    @Override
    StoredKeys newStore() {
        return new InMemoryStoredKeys();
    }
}
