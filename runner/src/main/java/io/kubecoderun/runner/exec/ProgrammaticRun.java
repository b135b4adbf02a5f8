package io.kubecoderun.runner.exec;

import io.kubecoderun.runner.RunnerException;
import io.kubecoderun.runner.wire.ExecuteResponse;
import io.kubecoderun.runner.wire.Json;
import io.kubecoderun.runner.wire.ProgrammaticAnswer;
import io.kubecoderun.runner.wire.RunnerError;
import io.kubecoderun.runner.wire.ToolCall;
import io.kubecoderun.runner.wire.ToolResult;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * One programmatic execution as its caller sees it: the program runs on a thread of its own and the caller waits
 * for its next answer — the calls it waits on, or its end. While it waits the idle deadline runs; results start a
 * fresh run budget. Calls are answered in batches: Python says when its batch is complete (all the calls an
 * {@code asyncio.gather} made), bash cannot, so a batch of bash calls is complete once none arrived for the settle
 * time (background calls started together land in one answer).
 */
public final class ProgrammaticRun implements ToolChannel.Listener {
    private static final Logger LOG = Logger.getLogger(ProgrammaticRun.class.getName());

    /** The limits of one programmatic execution. */
    public record Limits(
            long idleMillis,
            long settleMillis,
            int maxCalls,
            long maxInputBytes,
            long maxResultBytes,
            int maxBatchCalls,
            long maxBatchBytes) {}

    private final ToolChannel channel;
    private final Limits limits;
    private Deadline deadline;
    private long budgetNanos;

    // Guarded by this.
    private final List<ToolCall> arrived = new ArrayList<>();
    private long arrivedBytes;
    private final Map<String, String> tokens = new LinkedHashMap<>(); // call id → token, until answered
    private final Set<String> announced = new HashSet<>();
    private char lastFlag = '?';
    private long lastArrival;
    private int calls;
    private boolean waiting;
    private ExecuteResponse finished;
    private RuntimeException failure;
    private boolean finishedTaken;

    public ProgrammaticRun(String language, List<String> tools, Limits limits) {
        this.channel = new ToolChannel(language, tools, limits.maxInputBytes());
        this.limits = limits;
    }

    ToolChannel channel() {
        return channel;
    }

    /** The executor starts the clock: the first run budget, on a deadline the waits move. */
    synchronized Deadline begin(long budgetNanos) {
        this.budgetNanos = budgetNanos;
        deadline = Deadline.movable(System.nanoTime() + budgetNanos);
        return deadline;
    }

    @Override
    public void arrived(ToolChannel.Arrival arrival) {
        String refused;
        synchronized (this) {
            if (calls >= limits.maxCalls()) {
                refused = "too many tool calls: at most " + limits.maxCalls() + " per execution";
            } else if (arrived.size() >= limits.maxBatchCalls()
                    || arrivedBytes + arrival.bytes() > limits.maxBatchBytes()) {
                // One answer carries every waiting call: bounded, so neither side holds an unbounded batch.
                refused = "too many tool calls waiting at once (at most " + limits.maxBatchCalls() + " calls, "
                        + limits.maxBatchBytes() + " bytes of input): await some before making more";
            } else if (finished != null) {
                refused = "the execution has ended";
            } else {
                calls++;
                arrivedBytes += arrival.bytes();
                String id = "call_" + calls;
                arrived.add(new ToolCall(id, arrival.tool(), arrival.input()));
                tokens.put(id, arrival.token());
                lastFlag = arrival.flag();
                lastArrival = System.nanoTime();
                notifyAll();
                return;
            }
        }
        channel.answer(
                arrival.token(),
                ToolResult.error("too many tool calls: at most " + limits.maxCalls() + " per execution"));
    }

    /** The program ended (the executor's answer); a waiting caller gets it. */
    public synchronized void finished(ExecuteResponse response) {
        finished = response;
        if (waiting && response.timedOut()) {
            LOG.info("event=programmatic_idle_expired idle_ms=" + limits.idleMillis());
        }
        notifyAll();
    }

    /** The execution could not run at all; a waiting caller gets the error. */
    public synchronized void failed(RuntimeException error) {
        failure = error;
        notifyAll();
    }

    /** Waits for the program's next answer: calls to make (it is then waiting) or its end. */
    public synchronized ProgrammaticAnswer awaitAnswer() throws InterruptedException {
        while (true) {
            if (finished != null || failure != null) {
                return takeEnd();
            }
            if (!arrived.isEmpty()) {
                long settle = TimeUnit.MILLISECONDS.toNanos(
                        lastFlag == '0' ? 0 : lastFlag == '1' ? limits.settleMillis() * 10 : limits.settleMillis());
                long remaining = lastArrival + settle - System.nanoTime();
                if (remaining <= 0) {
                    List<ToolCall> batch = List.copyOf(arrived);
                    arrived.clear();
                    arrivedBytes = 0;
                    for (ToolCall call : batch) {
                        announced.add(call.id());
                    }
                    waiting = true;
                    deadline.moveTo(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(limits.idleMillis()));
                    return ProgrammaticAnswer.waiting(batch);
                }
                TimeUnit.NANOSECONDS.timedWait(this, remaining);
            } else {
                wait();
            }
        }
    }

    private ProgrammaticAnswer takeEnd() {
        if (failure != null) {
            throw failure;
        }
        finishedTaken = true;
        return ProgrammaticAnswer.finished(finished);
    }

    /**
     * Hands the caller's results to the program and waits for its next answer. The results must answer exactly the
     * calls of the last answer (each once); a result larger than the cap reaches the program as an error.
     */
    public ProgrammaticAnswer deliver(List<ToolResult> results) throws InterruptedException {
        List<Map.Entry<String, ToolResult>> answers = new ArrayList<>();
        synchronized (this) {
            if ((finished != null || failure != null) && !finishedTaken) {
                return takeEnd(); // it ended meanwhile: the results are moot
            }
            if (!waiting) {
                throw new RunnerException.Conflict(
                        RunnerError.NOT_WAITING,
                        finished != null ? "the execution has ended" : "the execution is not waiting for tool results");
            }
            if (results.isEmpty()) {
                throw new RunnerException.BadRequest(RunnerError.UNKNOWN_CALL_ID, "'tool_results' must not be empty");
            }
            Set<String> seen = new HashSet<>();
            for (ToolResult result : results) {
                if (!announced.contains(result.callId()) || !seen.add(result.callId())) {
                    throw new RunnerException.BadRequest(
                            RunnerError.UNKNOWN_CALL_ID,
                            "no call " + result.callId() + " is waiting for a result (or it was answered twice)");
                }
            }
            if (!seen.equals(announced)) {
                Set<String> missing = new HashSet<>(announced);
                missing.removeAll(seen);
                throw new RunnerException.BadRequest(
                        RunnerError.UNKNOWN_CALL_ID, "results are missing for " + new java.util.TreeSet<>(missing));
            }
            for (ToolResult result : results) {
                answers.add(Map.entry(tokens.remove(result.callId()), capped(result)));
            }
            announced.clear();
            waiting = false;
            deadline.moveTo(System.nanoTime() + budgetNanos);
        }
        for (Map.Entry<String, ToolResult> answer : answers) {
            channel.answer(answer.getKey(), answer.getValue());
        }
        return awaitAnswer();
    }

    private ToolResult capped(ToolResult result) {
        long size = result.isError()
                ? String.valueOf(result.errorMessage()).length()
                : Json.write(result.result()).getBytes(StandardCharsets.UTF_8).length;
        if (size > limits.maxResultBytes()) {
            return ToolResult.error(
                    "the result of this tool call is " + size + " bytes; the cap is " + limits.maxResultBytes());
        }
        return result;
    }
}
