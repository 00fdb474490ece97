package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclBinding;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.AclPermissionType;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.PatternType;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreateAclsRequestData;
import dev.skiff.protocol.message.CreateAclsResponseData;
import dev.skiff.protocol.message.CreateAclsResponseData.AclCreationResult;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * CreateAcls: adds ACLs; needs ALTER on the cluster (else CLUSTER_AUTHORIZATION_FAILED on every creation), and
 * answers SECURITY_DISABLED when no authorizer is configured. A creation holding ANY (or a MATCH pattern type)
 * fails the whole request with UNKNOWN_SERVER_ERROR, as Kafka's does. Else each creation has its own result:
 * INVALID_REQUEST for an unusable one (unknown enums, an empty name, a principal without "type:", a cluster not
 * named kafka-cluster), POLICY_VIOLATION past {@code skiff.acls.max}.
 *
 * <p>Versions (Kafka's CreateAcls schemas):
 * <ul>
 * <li>v0: resource type and name, principal, host, operation, permission type.
 * <li>v1: adds resource_pattern_type (LITERAL or PREFIXED, KIP-290); v0 creations are LITERAL.
 * <li>v2: flexible versions. v3: same as v2 (USER resources, KIP-373).
 * </ul>
 */
public final class CreateAclsApi implements ApiHandler<CreateAclsRequestData> {

    private final Authorizer authorizer;

    CreateAclsApi(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CREATE_ACLS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 3;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, CreateAclsRequestData request) {
        List<AclCreationResult> refused = AclChangeGate.refusedAnswers(
                ctx,
                authorizer,
                request.creations().size(),
                (error, message) ->
                        new AclCreationResult().setErrorCode(error.code()).setErrorMessage(message));
        if (refused != null) return CompletableFuture.completedFuture(new CreateAclsResponseData().setResults(refused));
        List<AclBinding> bindings = new ArrayList<>();
        for (CreateAclsRequestData.AclCreation c : request.creations()) {
            PatternType pattern = ctx.apiVersion() >= 1 ? PatternType.of(c.resourcePatternType()) : PatternType.LITERAL;
            if (anyOrMatch(c, pattern))
                // odd, but Kafka's: its controller cannot build an ACL of ANY or MATCH values, and that exception
                // fails the whole request, every creation UNKNOWN_SERVER_ERROR (not INVALID_REQUEST for that one)
                throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, "ACL creations may not hold ANY or MATCH values");
            bindings.add(new AclBinding(
                    ResourceType.of(c.resourceType()),
                    c.resourceName(),
                    pattern,
                    c.principal(),
                    c.host(),
                    AclOperation.of(c.operation()),
                    AclPermissionType.of(c.permissionType())));
        }
        CreateAclsResponseData response = new CreateAclsResponseData();
        for (ApiException e : authorizer.createAcls(bindings)) {
            AclCreationResult r = new AclCreationResult();
            if (e != null) r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            response.results().add(r);
        }
        return CompletableFuture.completedFuture(response);
    }

    private static boolean anyOrMatch(CreateAclsRequestData.AclCreation c, PatternType pattern) {
        return ResourceType.of(c.resourceType()) == ResourceType.ANY
                || pattern == PatternType.ANY
                || pattern == PatternType.MATCH
                || AclOperation.of(c.operation()) == AclOperation.ANY
                || AclPermissionType.of(c.permissionType()) == AclPermissionType.ANY;
    }
}
