package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.sasl.ScramUserAdmin;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterUserScramCredentialsRequestData;
import java.util.concurrent.CompletableFuture;

/**
 * AlterUserScramCredentials: creates, replaces and deletes SCRAM credentials. The client sends the salted
 * password (never the password); the broker keeps StoredKey and ServerKey derived from it, durably before it
 * answers. The rules and errors are Kafka's ({@link ScramUserAdmin}).
 *
 * <p>Versions (Kafka's AlterUserScramCredentials schemas):
 * <ul>
 * <li>v0 (KIP-554): deletions (name, mechanism) and upsertions (name, mechanism, iterations, salt, salted
 *     password); a result per user. The only version, flexible.
 * </ul>
 */
public final class AlterUserScramCredentialsApi implements ApiHandler<AlterUserScramCredentialsRequestData> {

    private final ScramUserAdmin users;
    private final Authorizer authorizer;

    AlterUserScramCredentialsApi(ScramUserAdmin users, Authorizer authorizer) {
        this.users = users;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_USER_SCRAM_CREDENTIALS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterUserScramCredentialsRequestData request) {
        // Kafka asks ALTER on the cluster
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        return CompletableFuture.completedFuture(users.alter(request));
    }
}
