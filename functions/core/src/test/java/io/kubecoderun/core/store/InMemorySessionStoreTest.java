package io.kubecoderun.core.store;

import java.time.Clock;

class InMemorySessionStoreTest extends SessionStoreContract {
    @Override
    SessionStore newStore() {
        return new InMemorySessionStore(Clock.systemUTC());
    }
}
