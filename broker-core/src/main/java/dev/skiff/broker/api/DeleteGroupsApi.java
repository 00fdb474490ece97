package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.GroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroups;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteGroupsRequestData;
import dev.skiff.protocol.message.DeleteGroupsResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteGroups: removes groups without members, with their committed offsets (NON_EMPTY_GROUP otherwise); a
 * share group goes with its share-partition state (Admin.deleteShareGroups, {@code kafka-share-groups --delete}).
 *
 * <p>Versions (Kafka's DeleteGroups schemas):
 * <ul>
 * <li>v0: group ids; one error per group.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DELETE on each group, else GROUP_AUTHORIZATION_FAILED for it.
 */
public final class DeleteGroupsApi implements ApiHandler<DeleteGroupsRequestData> {

    private final CoordinatorLocator coordinators;

    private final GroupCoordinator groups;
    private final Authorizer authorizer;
    /** Share groups, deleted here too; null when the broker has none. */
    private ShareGroups shareGroups;

    DeleteGroupsApi withShareGroups(ShareGroups shareGroups) {
        this.shareGroups = shareGroups;
        return this;
    }

    DeleteGroupsApi(GroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.authorizer = authorizer;
        this.coordinators = coordinators;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteGroupsRequestData request) {
        DeleteGroupsResponseData r = new DeleteGroupsResponseData();
        for (String id : request.groupsNames()) {
            Errors e = Errors.NONE;
            try {
                if (!authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.GROUP, id))
                    throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
                coordinators.ensureCoordinator(GROUP, id);
                if (shareGroups != null && shareGroups.coordinator().exists(id)) shareGroups.delete(id);
                else groups.delete(id);
            } catch (ApiException failed) {
                e = failed.error(); // each group has its own answer
            } catch (RuntimeException failed) {
                e = Errors.COORDINATOR_NOT_AVAILABLE;
            }
            r.results()
                    .add(new DeleteGroupsResponseData.DeletableGroupResult()
                            .setGroupId(id)
                            .setErrorCode(e.code()));
        }
        return CompletableFuture.completedFuture(r);
    }
}
