package io.kubecoderun.registry;

/**
 * The only meeting point of the functions and the pool controller (functions hold no Kubernetes rights): warm
 * sandboxes are offered by the controller and leased by the functions, one request per sandbox.
 *
 * <p>Its four roles are interfaces of their own ({@link SandboxLeases}, {@link PoolMembership}, {@link JobRequests},
 * {@link PoolTelemetry}), so each caller names what it uses. Contract, shared by every implementation and pinned
 * by {@code LeaseRegistryContract}:
 * <ul>
 *   <li>A pod is in exactly one state at a time: idle, leased (to one lease id) or done (released or expired,
 *       waiting for the controller to delete it). It is never handed to two requests.</li>
 *   <li>Offers are idempotent and fenced: a pod the registry knows is left alone; an offer from a controller
 *       epoch older than the newest seen for the language is refused.</li>
 *   <li>Deadlines come from the registry's clock, never the caller's.</li>
 *   <li>Extend and release are checked against the lease id; a non-holder's release and a second release are
 *       no-ops. An expired lease cannot be extended.</li>
 *   <li>A waiter that gives up at the moment a pod is offered either gets the pod or leaves it idle: it is never
 *       lost and never given twice.</li>
 * </ul>
 */
public interface LeaseRegistry extends SandboxLeases, PoolMembership, JobRequests, PoolTelemetry, AutoCloseable {

    @Override
    void close();
}
