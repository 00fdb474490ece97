package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * Whether a CreateAcls or DeleteAcls request may change ACLs at all. Kafka refuses the whole request before looking
 * at any creation or filter, and answers that refusal in every one of them: SECURITY_DISABLED without an
 * authorizer, CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster.
 */
final class AclChangeGate {

    private AclChangeGate() {}

    /** The refusal for this request, or null when it may change ACLs. */
    static ApiException refusal(RequestContext ctx, Authorizer authorizer) {
        if (!authorizer.enabled()) return new ApiException(Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            return new ApiException(Errors.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
        return null;
    }
}
