package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

/**
 * Whether a CreateAcls or DeleteAcls request may change ACLs at all. Kafka refuses the whole request before looking
 * at any creation or filter, and answers that refusal in every one of them: SECURITY_DISABLED without an
 * authorizer, CLUSTER_AUTHORIZATION_FAILED without ALTER on the cluster.
 */
final class AclChangeGate {

    private AclChangeGate() {}

    /**
     * The answers of a request that may not change ACLs: its refusal, made into an answer by {@code answer}
     * (error and message), once for each of its {@code entries} creations or filters. Null when it may.
     */
    static <A> List<A> refusedAnswers(
            RequestContext ctx, Authorizer authorizer, int entries, BiFunction<Errors, String, A> answer) {
        ApiException refused = refusal(ctx, authorizer);
        if (refused == null) return null;
        List<A> answers = new ArrayList<>(entries);
        for (int i = 0; i < entries; i++) answers.add(answer.apply(refused.error(), refused.getMessage()));
        return answers;
    }

    /** The refusal for this request, or null when it may change ACLs. */
    private static ApiException refusal(RequestContext ctx, Authorizer authorizer) {
        if (!authorizer.enabled()) return new ApiException(Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            return new ApiException(Errors.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
        return null;
    }
}
