package dev.skiff.broker.api;

import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeLogDirsRequestData;
import dev.skiff.protocol.message.DescribeLogDirsResponseData;
import dev.skiff.protocol.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import dev.skiff.protocol.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeLogDirs: Skiff keeps every partition in its one data dir; each partition's size is its segments'
 * bytes. v4 adds the dir's total and usable bytes (-1 when unknown, e.g. in memory).
 *
 * <p>Versions (Kafka's DescribeLogDirs schemas):
 * <ul>
 * <li>v0: topics and partitions (null: all); answers each log dir with its partitions' sizes.
 * <li>v1: same as v0 (answers sent before throttling).
 * <li>v2: flexible versions.
 * <li>v3: the response adds a top-level error_code.
 * <li>v4: the response adds total_bytes and usable_bytes.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED for the request.
 */
public final class DescribeLogDirsApi implements ApiHandler<DescribeLogDirsRequestData> {

    private final BrokerConfig config;
    private final TopicManager topics;

    private final Authorizer authorizer;

    DescribeLogDirsApi(BrokerConfig config, TopicManager topics, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.config = config;
        this.topics = topics;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 4;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeLogDirsRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE))
            return CompletableFuture.completedFuture(
                    new DescribeLogDirsResponseData().setErrorCode(Errors.CLUSTER_AUTHORIZATION_FAILED.code()));
        Path dir = config.dataDir.toAbsolutePath().normalize();
        DescribeLogDirsResponseData.DescribeLogDirsResult result =
                new DescribeLogDirsResponseData.DescribeLogDirsResult()
                        .setLogDir(dir.toString())
                        .setTotalBytes(-1)
                        .setUsableBytes(-1);
        try {
            if (Files.isDirectory(dir)) {
                FileStore store = Files.getFileStore(dir);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            }
        } catch (IOException | SecurityException e) {
            // sizes stay unknown
        }
        if (request.topics() == null) {
            for (Topic t : topics.all()) result.topics().add(describe(t, null));
        } else {
            for (DescribeLogDirsRequestData.DescribableLogDirTopic wanted : request.topics()) {
                Topic t = topics.get(wanted.topic());
                if (t != null) result.topics().add(describe(t, wanted));
            }
        }
        DescribeLogDirsResponseData response = new DescribeLogDirsResponseData();
        response.results().add(result);
        return CompletableFuture.completedFuture(response);
    }

    private static DescribeLogDirsTopic describe(Topic t, DescribeLogDirsRequestData.DescribableLogDirTopic wanted) {
        DescribeLogDirsTopic out = new DescribeLogDirsTopic().setName(t.name());
        for (Partition p : t.partitions()) {
            if (wanted != null && !wanted.partitions().contains(p.index())) continue;
            out.partitions()
                    .add(new DescribeLogDirsPartition()
                            .setPartitionIndex(p.index())
                            .setPartitionSize(p.log().sizeInBytes())
                            .setOffsetLag(0)
                            .setIsFutureKey(false));
        }
        return out;
    }
}
