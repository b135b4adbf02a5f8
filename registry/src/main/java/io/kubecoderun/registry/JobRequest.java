package io.kubecoderun.registry;

/**
 * A request for a sandbox of a language that has no warm pool (or whose pool is exhausted): the controller
 * launches a Job named after {@code id} (so a replayed request meets AlreadyExists, not a twin) and offers its
 * pod to this request with {@link LeaseRegistry#offerTo}. {@code deadlineMs} is when the requester stops waiting;
 * {@code ticket} is the registry's handle for {@link LeaseRegistry#acknowledge}.
 */
public record JobRequest(String id, String language, long deadlineMs, String ticket) {}
