package io.kubecoderun.funqyprobe;

import io.quarkus.funqy.Funq;
import java.util.Map;

/**
 * The exec event as a Funqy function would have to be: it answers a result, or fails the way the exec function
 * fails (a caller over its rate limit, which the Broker must retry later; a request that can never succeed, which
 * it must not retry). {@code ExecFunqyProbeTest} shows what reaches the Broker in each case.
 */
public class ExecProbe {

    /** What {@code ApiException.RateLimited} and {@code ApiException.BadRequest} stand for in the exec function. */
    public static final class Refused extends RuntimeException {
        public final int status;

        public Refused(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    @Funq
    public Map<String, Object> exec(Map<String, Object> data) {
        Object outcome = data.get("outcome");
        if ("rate_limited".equals(outcome)) {
            throw new Refused(429, "rate limited; retry after 10 s");
        }
        if ("bad_request".equals(outcome)) {
            throw new Refused(400, "unsupported language");
        }
        return Map.of("stdout", "ok\n", "exit_code", 0);
    }
}
