package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.group.ConsumerGroupCoordinator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ConsumerGroupDescribeRequestData;
import dev.skiff.protocol.message.ConsumerGroupDescribeResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * ConsumerGroupDescribe (KIP-848): each consumer group's state, epochs, assignor and members with their current
 * and target assignments; GROUP_ID_NOT_FOUND for a group that is not a consumer group.
 *
 * <p>Versions (Kafka's ConsumerGroupDescribe schemas):
 * <ul>
 * <li>v0: group ids; answers state, group and assignment epochs, assignor, members.
 * <li>v1: each member adds member_type (0 classic, 1 consumer protocol).
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on each group, else GROUP_AUTHORIZATION_FAILED for that group.
 */
public final class ConsumerGroupDescribeApi implements ApiHandler<ConsumerGroupDescribeRequestData> {

    private static final int OPERATIONS_OMITTED = Integer.MIN_VALUE;

    private final ConsumerGroupCoordinator groups;
    private final CoordinatorLocator coordinators;
    private final Authorizer authorizer;

    ConsumerGroupDescribeApi(ConsumerGroupCoordinator groups, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.groups = groups;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.CONSUMER_GROUP_DESCRIBE;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 1;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ConsumerGroupDescribeRequestData request) {
        ConsumerGroupDescribeResponseData r = new ConsumerGroupDescribeResponseData();
        for (String id : request.groupIds()) {
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, id)) {
                r.groups()
                        .add(new ConsumerGroupDescribeResponseData.DescribedGroup()
                                .setGroupId(id)
                                .setErrorCode(Errors.GROUP_AUTHORIZATION_FAILED.code())
                                .setAuthorizedOperations(OPERATIONS_OMITTED));
                continue;
            }
            try {
                coordinators.ensureCoordinator(GROUP, id);
            } catch (ApiException e) { // each group has its own coordinator, so its own answer
                r.groups()
                        .add(new ConsumerGroupDescribeResponseData.DescribedGroup()
                                .setGroupId(id)
                                .setErrorCode(e.error().code())
                                .setErrorMessage(e.getMessage())
                                .setAuthorizedOperations(OPERATIONS_OMITTED));
                continue;
            }
            ConsumerGroupDescribeResponseData.DescribedGroup d = groups.describe(id);
            d.setAuthorizedOperations(
                    request.includeAuthorizedOperations()
                            ? authorizer.authorizedOperations(ctx, ResourceType.GROUP, id)
                            : OPERATIONS_OMITTED);
            r.groups().add(d);
        }
        return CompletableFuture.completedFuture(r);
    }
}
