package dev.skiff.broker.api;

import static dev.skiff.broker.coordinator.CoordinatorLocator.KeyType.GROUP;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.coordinator.CoordinatorLocator;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.ShareGroups;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;

/**
 * What the three share-group offset APIs (Describe, Alter and DeleteShareGroupOffsets, all v0 only in Kafka 4.1)
 * have in common: their services and the checks on the group they open with, in Kafka's order.
 */
abstract class ShareGroupOffsetsHandler<T extends ApiMessage> implements ApiHandler<T> {

    /** What a request asks of the group besides being a share group the caller may act on. */
    enum Expect {
        /** An unknown id is no error (Describe and Alter start from nothing); one of another type is. */
        ANY,
        /** Alter: as ANY, and the group must have no members. */
        EMPTY,
        /** Delete: the share group must exist and have no members. */
        EXISTING_EMPTY
    }

    final ShareGroups shares;
    final TopicManager topics;
    final Authorizer authorizer;
    private final CoordinatorLocator coordinators;

    ShareGroupOffsetsHandler(
            ShareGroups shares, TopicManager topics, CoordinatorLocator coordinators, Authorizer authorizer) {
        this.shares = shares;
        this.topics = topics;
        this.coordinators = coordinators;
        this.authorizer = authorizer;
    }

    @Override
    public final short minVersion() {
        return 0;
    }

    @Override
    public final short maxVersion() {
        return 0;
    }

    /**
     * Checks the group id, {@code operation} on the group, that this broker coordinates it, and what {@code
     * expect} asks; fails with Kafka's error for the first check that does not hold.
     */
    final void checkGroup(RequestContext ctx, String id, AclOperation operation, Expect expect) {
        if (id == null || id.isEmpty()) throw new ApiException(Errors.INVALID_GROUP_ID, "Invalid group id.");
        if (!authorizer.authorize(ctx, operation, ResourceType.GROUP, id))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
        coordinators.ensureCoordinator(GROUP, id);
        boolean exists = shares.coordinator().exists(id);
        if (expect == Expect.EXISTING_EMPTY && !exists)
            throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + id + " not found.");
        if (!exists && shares.isOtherGroup(id))
            throw new ApiException(Errors.GROUP_ID_NOT_FOUND, "Group " + id + " is not a share group.");
        if (expect != Expect.ANY && shares.coordinator().hasMembers(id))
            throw new ApiException(Errors.NON_EMPTY_GROUP, "The group has active members.");
    }
}
