package io.kubecoderun.runner.wire;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.http.HttpConnectTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * Which failures let the exec function run a program on another runner. The failure this pins: a program whose
 * runner died mid-execution is run a second time elsewhere (a retry after the request arrived), or a runner that
 * was never reached is reported as a lost sandbox instead of being skipped.
 */
class RunnerClientTest {

    @Test
    void onlyAConnectionThatWasNeverOpenedCountsAsNotReached() {
        assertFalse(unreachable(new ConnectException("Connection refused")).reached());
        assertFalse(unreachable(new NoRouteToHostException("No route to host")).reached(), "a deleted pod's IP");
        assertFalse(unreachable(new HttpConnectTimeoutException("connect timed out"))
                .reached());
        assertFalse(unreachable(new IOException("wrapped", new ConnectException("refused")))
                .reached());
        assertTrue(unreachable(new IOException("Connection reset")).reached(), "the request may have arrived");
        assertTrue(unreachable(new java.net.http.HttpTimeoutException("request timed out"))
                .reached());
    }

    @Test
    void onlyTheRunnersClaimRefusalsMeanNothingRan() {
        assertTrue(new RunnerClient.RunnerRefusedException(409, "{\"error\":\"x\",\"error_type\":\"already_claimed\"}")
                .claimRefused());
        assertTrue(new RunnerClient.RunnerRefusedException(409, "{\"error\":\"x\",\"error_type\":\"pod_mismatch\"}")
                .claimRefused());
        assertFalse(new RunnerClient.RunnerRefusedException(409, "{\"error\":\"x\",\"error_type\":\"busy\"}")
                .claimRefused());
        assertFalse(new RunnerClient.RunnerRefusedException(409, "{\"error\":\"x\",\"error_type\":\"already_used\"}")
                .claimRefused());
        assertFalse(
                new RunnerClient.RunnerRefusedException(400, "{\"error\":\"x\",\"error_type\":\"pod_mismatch\"}")
                        .claimRefused(),
                "only a 409");
        assertFalse(new RunnerClient.RunnerRefusedException(409, "not json").claimRefused());
    }

    private static RunnerClient.RunnerUnreachableException unreachable(Exception cause) {
        return new RunnerClient.RunnerUnreachableException("runner unreachable: " + cause, cause);
    }
}
