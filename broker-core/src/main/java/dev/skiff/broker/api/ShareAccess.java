package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopicLog;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.broker.share.SharePartitionKey;
import dev.skiff.broker.share.SharePartitionManager;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * The checks ShareFetch and ShareAcknowledge share, as Kafka's: the group and member a request names, READ on the
 * group, and READ on the topic of each share partition.
 */
final class ShareAccess {

    private final SharePartitionManager shares;
    private final Authorizer authorizer;

    ShareAccess(SharePartitionManager shares, Authorizer authorizer) {
        this.shares = shares;
        this.authorizer = authorizer;
    }

    /**
     * Refuses the whole request: an empty group or member id (INVALID_REQUEST), a group id too long for the
     * share-partition state records (INVALID_GROUP_ID), or a caller without READ on the group
     * (GROUP_AUTHORIZATION_FAILED).
     */
    void checkGroup(RequestContext ctx, String group, String member) {
        if (group == null || group.isEmpty()) throw new ApiException(Errors.INVALID_REQUEST, "GroupId can't be empty.");
        // the group id goes into the share-partition state records
        if (!InternalTopicLog.fits(group)) throw new ApiException(Errors.INVALID_GROUP_ID, "The group id is too long.");
        if (member == null || member.isEmpty())
            throw new ApiException(Errors.INVALID_REQUEST, "MemberId can't be empty.");
        if (!authorizer.authorize(ctx, AclOperation.READ, ResourceType.GROUP, group))
            throw new ApiException(Errors.GROUP_AUTHORIZATION_FAILED, "Group authorization failed.");
    }

    /**
     * TOPIC_AUTHORIZATION_FAILED when the share partition's topic may not be read; null when allowed (or unknown:
     * the partition's own answer says).
     */
    Errors topicDenied(RequestContext ctx, SharePartitionKey key) {
        if (!authorizer.enabled()) return null;
        try {
            Partition p = shares.log(key.topicId(), key.partition());
            return authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, p.topic())
                    ? null
                    : Errors.TOPIC_AUTHORIZATION_FAILED;
        } catch (ApiException e) {
            return null;
        }
    }
}
