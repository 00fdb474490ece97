package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclBinding;
import dev.skiff.broker.security.acl.AclBindingFilter;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.AclPermissionType;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.PatternType;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeAclsRequestData;
import dev.skiff.protocol.message.DescribeAclsResponseData;
import dev.skiff.protocol.message.DescribeAclsResponseData.AclDescription;
import dev.skiff.protocol.message.DescribeAclsResponseData.DescribeAclsResource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeAcls: the ACLs one filter matches, grouped by resource pattern; needs DESCRIBE on the cluster
 * (CLUSTER_AUTHORIZATION_FAILED), SECURITY_DISABLED without an authorizer, INVALID_REQUEST for an unusable
 * filter. Filters use Kafka's semantics: ANY and null match everything, MATCH every ACL that applies to a name.
 *
 * <p>Versions (Kafka's DescribeAcls schemas):
 * <ul>
 * <li>v0: filter by resource type and name, principal, host, operation, permission type (LITERAL ACLs only).
 * <li>v1: adds pattern_type_filter (ANY, MATCH, LITERAL, PREFIXED; KIP-290) and the pattern type of each
 * resource in the answer.
 * <li>v2: flexible versions. v3: same as v2 (USER resources, KIP-373).
 * </ul>
 */
public final class DescribeAclsApi implements ApiHandler<DescribeAclsRequestData> {

    private final Authorizer authorizer;

    DescribeAclsApi(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_ACLS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeAclsRequestData request) {
        DescribeAclsResponseData response = new DescribeAclsResponseData();
        if (!authorizer.enabled()) return done(response, Errors.SECURITY_DISABLED, "No Authorizer is configured.");
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE))
            return done(response, Errors.CLUSTER_AUTHORIZATION_FAILED, "Cluster authorization failed.");
        AclBindingFilter filter = new AclBindingFilter(
                ResourceType.of(request.resourceTypeFilter()),
                request.resourceNameFilter(),
                ctx.apiVersion() >= 1 ? PatternType.of(request.patternTypeFilter()) : PatternType.LITERAL,
                request.principalFilter(),
                request.hostFilter(),
                AclOperation.of(request.operation()),
                AclPermissionType.of(request.permissionType()));
        String invalid = filter.invalidReason();
        if (invalid != null) return done(response, Errors.INVALID_REQUEST, invalid);
        Map<List<Object>, DescribeAclsResource> byResource = new LinkedHashMap<>();
        for (AclBinding b : authorizer.describeAcls(filter)) {
            byResource
                    .computeIfAbsent(
                            List.of(b.type(), b.name(), b.pattern()),
                            k -> new DescribeAclsResource()
                                    .setResourceType(b.type().code)
                                    .setResourceName(b.name())
                                    .setPatternType(b.pattern().code))
                    .acls()
                    .add(new AclDescription()
                            .setPrincipal(b.principal())
                            .setHost(b.host())
                            .setOperation(b.operation().code)
                            .setPermissionType(b.permission().code));
        }
        response.resources().addAll(byResource.values());
        return CompletableFuture.completedFuture(response);
    }

    private static CompletableFuture<ApiMessage> done(DescribeAclsResponseData r, Errors e, String message) {
        return CompletableFuture.completedFuture(r.setErrorCode(e.code()).setErrorMessage(message));
    }
}
