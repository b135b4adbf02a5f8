package io.kubecoderun.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.kubecoderun.runner.testing.RunnerExtension;
import io.kubecoderun.runner.testing.RunnerHttp;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Python state across executions with real cloudpickle in the sandbox, as the exec function will drive it. */
class StateIT {
    @RegisterExtension
    static final RunnerExtension runner = RunnerExtension.sandboxed();

    static RunnerHttp client;

    @BeforeAll
    static void connect() {
        client = runner.client();
    }

    private static Map<String, Object> run(String code, String state) throws Exception {
        Map<String, Object> body = new HashMap<>(Map.of("lang", "py", "code", code, "capture_state", true));
        if (state != null) {
            body.put("state", state);
        }
        RunnerHttp.Reply reply = client.execute(body);
        assertEquals(200, reply.status(), reply.raw());
        return reply.json();
    }

    @SuppressWarnings("unchecked")
    private static List<String> skipped(Map<String, Object> result) {
        return ((List<Map<String, Object>>) result.get("state_errors"))
                .stream().map(e -> e.get("name") + ": " + e.get("reason")).toList();
    }

    @Test
    void aCounterAFunctionAClassAndADataFrameSurviveToTheNextRun() throws Exception {
        Map<String, Object> first = run("""
                import pandas as pd
                counter = 100
                def double(x):
                    return 2 * x
                class Greeter:
                    def __init__(self, name): self.name = name
                    def hello(self): return 'hello ' + self.name
                g = Greeter('kcr')
                df = pd.DataFrame({'a': [1, 2, 3]})
                """, null);
        assertEquals(0L, first.get("exit_code"), first.toString());
        String state = (String) first.get("state");
        assertNotNull(state);
        assertTrue(
                skipped(first).contains("pd: module (import it again in the next run)"),
                skipped(first).toString());

        Map<String, Object> second = run("print(counter + 1, double(21), g.hello(), int(df['a'].sum()))", state);
        assertEquals("101 42 hello kcr 6\n", second.get("stdout"), second.toString());
        assertEquals("", second.get("stderr"));
    }

    @Test
    void unpicklableValuesAreReportedAndTheRestIsKept() throws Exception {
        Map<String, Object> first = run("""
                import threading
                lock = threading.Lock()
                gen = (i for i in range(3))
                kept = [1, 2, 3]
                _private = 'not saved'
                """, null);
        List<String> skipped = skipped(first);
        assertTrue(skipped.stream().anyMatch(s -> s.startsWith("lock: not picklable")), skipped.toString());
        assertTrue(skipped.stream().anyMatch(s -> s.startsWith("gen: not picklable")), skipped.toString());
        Map<String, Object> second =
                run("print(kept, 'lock' in globals(), '_private' in globals())", (String) first.get("state"));
        assertEquals("[1, 2, 3] False False\n", second.get("stdout"), second.toString());
    }

    @Test
    void namesDefinedBeforeAnExceptionAreStillSaved() throws Exception {
        Map<String, Object> first = run("before = 'kept'\nraise ValueError('boom')", null);
        assertEquals(1L, first.get("exit_code"));
        assertTrue(((String) first.get("stderr")).contains("ValueError: boom"));
        assertFalse(((String) first.get("stderr")).contains("kcr_python"), "wrapper frames leak into the trace");
        Map<String, Object> second = run("print(before)", (String) first.get("state"));
        assertEquals("kept\n", second.get("stdout"));
    }

    @Test
    void aCorruptStateIsReportedAndTheCodeStillRunsInAFreshNamespace() throws Exception {
        String garbage = Base64.getEncoder().encodeToString("not a pickle at all".getBytes());
        Map<String, Object> result = run("print('ran', 'counter' in globals())", garbage);
        assertEquals(0L, result.get("exit_code"));
        assertEquals("ran False\n", result.get("stdout"));
        assertTrue(((String) result.get("stderr")).contains("previous state could not be restored"));
        assertTrue(skipped(result).stream().anyMatch(s -> s.startsWith("<state>: could not restore")));
    }

    @Test
    void withoutCaptureNoStateIsReturnedAndNothingIsImported() throws Exception {
        RunnerHttp.Reply reply =
                client.execute(Map.of("lang", "py", "code", "import sys\nx = 1\nprint('cloudpickle' in sys.modules)"));
        assertEquals("False\n", reply.json().get("stdout"));
        assertFalse(reply.json().containsKey("state"));
    }
}
