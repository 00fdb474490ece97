package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.sasl.ScramUserAdmin;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeUserScramCredentialsRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeUserScramCredentials: the SCRAM users created at runtime, with the mechanism and iteration count of
 * each credential (never salts or keys). Users from the config ({@code skiff.sasl.users}) are not listed.
 *
 * <p>Versions (Kafka's DescribeUserScramCredentials schemas):
 * <ul>
 * <li>v0 (KIP-554): users (null or empty: all users); per user an error code and message, or the credential
 *     infos. The only version, flexible.
 * </ul>
 */
public final class DescribeUserScramCredentialsApi implements ApiHandler<DescribeUserScramCredentialsRequestData> {

    private final ScramUserAdmin users;
    private final Authorizer authorizer;

    DescribeUserScramCredentialsApi(ScramUserAdmin users, Authorizer authorizer) {
        this.users = users;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_USER_SCRAM_CREDENTIALS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 0;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeUserScramCredentialsRequestData request) {
        // Kafka asks DESCRIBE on the cluster
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        return CompletableFuture.completedFuture(users.describe(request));
    }
}
