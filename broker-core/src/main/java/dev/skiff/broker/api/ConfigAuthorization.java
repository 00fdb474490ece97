package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.admin.AdminException;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * The checks of Describe/Alter/IncrementalAlterConfigs, as Kafka's: DESCRIBE_CONFIGS or ALTER_CONFIGS on the
 * topic (TOPIC_AUTHORIZATION_FAILED), the group (GROUP_AUTHORIZATION_FAILED), or for broker and broker-logger
 * resources the cluster (CLUSTER_AUTHORIZATION_FAILED).
 */
final class ConfigAuthorization {

    /** Kafka's ConfigResource.Type codes. */
    private static final byte TOPIC = 2;

    private static final byte BROKER_LOGGER = 8;
    private static final byte BROKER = 4;
    private static final byte GROUP = 32;
    private static final byte CLIENT_METRICS = 16;

    /**
     * Kafka fails the whole request (every resource INVALID_REQUEST) when one resource has a type it does not
     * authorize: any but topic, broker, broker logger, client metrics and group, and for the legacy AlterConfigs
     * also the broker logger. It does so before checking any ACL, so refused resources are not told apart.
     */
    static void requireKnownTypes(Iterable<Byte> types, boolean legacyAlter) {
        for (byte type : types) {
            boolean known = type == TOPIC
                    || type == BROKER
                    || type == GROUP
                    || type == CLIENT_METRICS
                    || (type == BROKER_LOGGER && !legacyAlter);
            if (!known)
                throw new ApiException(
                        Errors.INVALID_REQUEST,
                        type == BROKER_LOGGER
                                ? "AlterConfigs does not support the resource type BROKER_LOGGER"
                                : "Unexpected resource type " + type);
        }
    }

    private ConfigAuthorization() {}

    static void check(Authorizer authorizer, RequestContext ctx, byte type, String name, boolean alter) {
        if (!authorizer.enabled()) return;
        AclOperation op = alter ? AclOperation.ALTER_CONFIGS : AclOperation.DESCRIBE_CONFIGS;
        switch (type) {
            case TOPIC -> {
                if (!authorizer.authorize(ctx, op, ResourceType.TOPIC, name))
                    throw new AdminException(
                            Errors.TOPIC_AUTHORIZATION_FAILED, Authorizer.message(Errors.TOPIC_AUTHORIZATION_FAILED));
            }
            case GROUP -> {
                if (!authorizer.authorize(ctx, op, ResourceType.GROUP, name))
                    throw new AdminException(
                            Errors.GROUP_AUTHORIZATION_FAILED, Authorizer.message(Errors.GROUP_AUTHORIZATION_FAILED));
            }
            case BROKER, BROKER_LOGGER -> {
                if (!authorizer.authorizeCluster(ctx, op))
                    throw new AdminException(
                            Errors.CLUSTER_AUTHORIZATION_FAILED,
                            Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
            }
            default -> {
                if (!authorizer.authorizeCluster(ctx, op))
                    throw new AdminException(
                            Errors.CLUSTER_AUTHORIZATION_FAILED,
                            Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
            }
        }
    }
}
