package dev.skiff.broker.security.acl;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.KafkaPrincipal;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Decides whether a principal may do an operation on a resource, and keeps the ACLs that decide it (Kafka's
 * {@code org.apache.kafka.server.authorizer.Authorizer}, reduced to what one broker needs). {@link #ALLOW_ALL}
 * is the broker without {@code authorizer.class.name}: everything is allowed and the ACL APIs answer
 * SECURITY_DISABLED.
 */
public interface Authorizer {

    /** One check of a batch. */
    record Action(AclOperation operation, ResourceType type, String name) {}

    /** False when no authorizer is configured (checks all pass, the ACL APIs are refused). */
    boolean enabled();

    boolean authorize(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type, String name);

    /** The batch form: one answer per action, in order. */
    default List<Boolean> authorize(KafkaPrincipal principal, String host, List<Action> actions) {
        List<Boolean> out = new ArrayList<>(actions.size());
        for (Action a : actions) out.add(authorize(principal, host, a.operation(), a.type(), a.name()));
        return out;
    }

    /**
     * Whether the principal may do the operation on at least one resource of the type (Kafka's
     * authorizeByResourceType: InitProducerId without a transactional id accepts WRITE on any topic).
     */
    boolean authorizeByResourceType(KafkaPrincipal principal, String host, AclOperation operation, ResourceType type);

    /** Adds ACLs; one entry per binding: null when added (or already there), else why not. */
    List<ApiException> createAcls(List<AclBinding> bindings);

    List<AclBinding> describeAcls(AclBindingFilter filter);

    /** Removes every ACL each filter matches; one list of removed ACLs per filter. */
    List<List<AclBinding>> deleteAcls(List<AclBindingFilter> filters);

    // ---- conveniences for handlers: the principal and host of the request

    default boolean authorize(RequestContext ctx, AclOperation operation, ResourceType type, String name) {
        if (!enabled()) return true;
        return authorize(ctx.principal(), hostOf(ctx), operation, type, name);
    }

    default boolean authorizeCluster(RequestContext ctx, AclOperation operation) {
        return authorize(ctx, operation, ResourceType.CLUSTER, ResourceType.CLUSTER_NAME);
    }

    default boolean authorizeByResourceType(RequestContext ctx, AclOperation operation, ResourceType type) {
        if (!enabled()) return true;
        return authorizeByResourceType(ctx.principal(), hostOf(ctx), operation, type);
    }

    /** Throws CLUSTER_AUTHORIZATION_FAILED unless allowed on the cluster. */
    default void requireCluster(RequestContext ctx, AclOperation operation) {
        if (!authorizeCluster(ctx, operation))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED,
                    "Cluster authorization failed."); // Kafka's message for ClusterAuthorizationException
    }

    /**
     * Kafka's authorized-operations bitfield (bit n set for operation code n) for a resource: the operations of
     * its type the principal may do.
     */
    default int authorizedOperations(RequestContext ctx, ResourceType type, String name) {
        int bits = 0;
        for (AclOperation op : AclOperation.supportedBy(type)) if (authorize(ctx, op, type, name)) bits |= 1 << op.code;
        return bits;
    }

    /** The operations of a type as a bitfield, for answers when no authorizer is configured. */
    static int allOperations(ResourceType type) {
        int bits = 0;
        Set<AclOperation> ops = AclOperation.supportedBy(type);
        for (AclOperation op : ops) bits |= 1 << op.code;
        return bits;
    }

    /** Kafka's message for an authorization error (the text of its exception). */
    static String message(Errors e) {
        return switch (e) {
            case TOPIC_AUTHORIZATION_FAILED -> "Topic authorization failed.";
            case GROUP_AUTHORIZATION_FAILED -> "Group authorization failed.";
            case CLUSTER_AUTHORIZATION_FAILED -> "Cluster authorization failed.";
            case TRANSACTIONAL_ID_AUTHORIZATION_FAILED -> "Transactional Id authorization failed.";
            default -> e.name();
        };
    }

    /** The client host without the port ("host:port" as the server gives it), as ACL hosts name it. */
    static String hostOf(RequestContext ctx) {
        String a = ctx.clientAddress();
        if (a == null) return "";
        if (a.startsWith("/")) a = a.substring(1);
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        return host;
    }

    /** No authorizer: everything allowed, nothing stored. */
    Authorizer ALLOW_ALL = new Authorizer() {
        @Override
        public boolean enabled() {
            return false;
        }

        @Override
        public boolean authorize(KafkaPrincipal p, String host, AclOperation op, ResourceType type, String name) {
            return true;
        }

        @Override
        public boolean authorizeByResourceType(KafkaPrincipal p, String host, AclOperation op, ResourceType type) {
            return true;
        }

        @Override
        public int authorizedOperations(RequestContext ctx, ResourceType type, String name) {
            return allOperations(type);
        }

        @Override
        public List<ApiException> createAcls(List<AclBinding> bindings) {
            throw disabled();
        }

        @Override
        public List<AclBinding> describeAcls(AclBindingFilter filter) {
            throw disabled();
        }

        @Override
        public List<List<AclBinding>> deleteAcls(List<AclBindingFilter> filters) {
            throw disabled();
        }

        private ApiException disabled() {
            return new ApiException(Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        }
    };
}
