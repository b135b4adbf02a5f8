package io.kubecoderun.exec.service;

import io.kubecoderun.registry.Acquisition;

/**
 * What an execution reports for metrics, framework free: how each lease was got and how long it took, and how each
 * execution ended. Languages are the runner table's ids (never the caller's text), so labels stay bounded.
 */
public interface ExecObserver {
    ExecObserver NONE = new ExecObserver() {
        @Override
        public void leased(String language, Acquisition.Outcome outcome, boolean viaJob, long nanos) {}

        @Override
        public void finished(String language, String status, long nanos) {}
    };

    /** A lease attempt: {@code HIT}, {@code WAIT_HIT} or {@code MISS}, from the warm pool or through a Job. */
    void leased(String language, Acquisition.Outcome outcome, boolean viaJob, long nanos);

    /**
     * An execution's end: {@code ok}, {@code error}, {@code timeout} (the user code's), or the {@code error_type} of
     * a refusal or failure ({@code no_sandbox}, {@code sandbox_lost}, {@code unsupported_language}, …); language
     * {@code invalid} for a request refused by validation (so a caller's text never becomes a label).
     */
    void finished(String language, String status, long nanos);
}
