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
import dev.skiff.protocol.message.DeleteAclsRequestData;
import dev.skiff.protocol.message.DeleteAclsResponseData;
import dev.skiff.protocol.message.DeleteAclsResponseData.DeleteAclsFilterResult;
import dev.skiff.protocol.message.DeleteAclsResponseData.DeleteAclsMatchingAcl;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteAcls: removes every ACL each filter matches and lists them, one result per filter; needs ALTER on the
 * cluster (CLUSTER_AUTHORIZATION_FAILED on every filter), SECURITY_DISABLED without an authorizer, and
 * INVALID_REQUEST for a filter with unknown enums or a MATCH filter without a name.
 *
 * <p>Versions (Kafka's DeleteAcls schemas):
 * <ul>
 * <li>v0: filters by resource type and name, principal, host, operation, permission type (LITERAL only).
 * <li>v1: adds pattern_type_filter (ANY, MATCH, LITERAL, PREFIXED; KIP-290) and the pattern type of each match.
 * <li>v2: flexible versions. v3: same as v2 (USER resources, KIP-373).
 * </ul>
 */
public final class DeleteAclsApi implements ApiHandler<DeleteAclsRequestData> {

    private final Authorizer authorizer;

    DeleteAclsApi(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_ACLS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteAclsRequestData request) {
        List<DeleteAclsFilterResult> refused = AclChangeGate.refusedAnswers(
                ctx,
                authorizer,
                request.filters().size(),
                (error, message) ->
                        new DeleteAclsFilterResult().setErrorCode(error.code()).setErrorMessage(message));
        if (refused != null)
            return CompletableFuture.completedFuture(new DeleteAclsResponseData().setFilterResults(refused));
        List<AclBindingFilter> filters = new ArrayList<>();
        for (DeleteAclsRequestData.DeleteAclsFilter f : request.filters()) {
            filters.add(new AclBindingFilter(
                    ResourceType.of(f.resourceTypeFilter()),
                    f.resourceNameFilter(),
                    ctx.apiVersion() >= 1 ? PatternType.of(f.patternTypeFilter()) : PatternType.LITERAL,
                    f.principalFilter(),
                    f.hostFilter(),
                    AclOperation.of(f.operation()),
                    AclPermissionType.of(f.permissionType())));
        }
        List<List<AclBinding>> removed = authorizer.deleteAcls(filters);
        DeleteAclsResponseData response = new DeleteAclsResponseData();
        for (int i = 0; i < filters.size(); i++) {
            DeleteAclsFilterResult r = new DeleteAclsFilterResult();
            String invalid = filters.get(i).invalidReason();
            if (invalid != null) {
                r.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(invalid);
            } else {
                for (AclBinding b : removed.get(i))
                    r.matchingAcls()
                            .add(new DeleteAclsMatchingAcl()
                                    .setResourceType(b.type().code)
                                    .setResourceName(b.name())
                                    .setPatternType(b.pattern().code)
                                    .setPrincipal(b.principal())
                                    .setHost(b.host())
                                    .setOperation(b.operation().code)
                                    .setPermissionType(b.permission().code));
            }
            response.filterResults().add(r);
        }
        return CompletableFuture.completedFuture(response);
    }
}
