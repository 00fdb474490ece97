package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterReplicaLogDirsRequestData;
import dev.skiff.protocol.message.AlterReplicaLogDirsResponseData;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * AlterReplicaLogDirs ({@code kafka-reassign-partitions} with log_dirs, Admin.alterReplicaLogDirs): moves replicas
 * between the log dirs of a broker. Skiff keeps every partition in one data dir (the first of {@code log.dirs}, which
 * DescribeLogDirs reports), so there is never anywhere else to move one: a partition asked into that dir is where it
 * is already (NONE, as Kafka answers when the destination is the current dir), any other path is not a log dir of
 * Skiff's (LOG_DIR_NOT_FOUND, Kafka's answer for a dir not in its configuration). Kafka's order of checks: a topic
 * name too long for the future log's directory name (INVALID_TOPIC_EXCEPTION), the dir, then the partition
 * (UNKNOWN_TOPIC_OR_PARTITION). A partition named twice takes its last dir, as Kafka's map of them.
 *
 * <p>Versions (Kafka 4.1.1 serves v1-2; v0 was removed in 4.0):
 * <ul>
 * <li>v1: per dir the topics and partitions to move into it; an error per partition.
 * <li>v2: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED for every partition.
 */
public final class AlterReplicaLogDirsApi implements ApiHandler<AlterReplicaLogDirsRequestData> {

    /** Kafka's longest directory name: a future log's is {@code <topic>-<partition>.<32 hex>-future}. */
    private static final int MAX_DIR_NAME = 255;

    private static final int FUTURE_SUFFIX = 1 + 32 + "-future".length();

    private final BrokerConfig config;
    private final TopicManager topics;
    private final Authorizer authorizer;

    AlterReplicaLogDirsApi(BrokerConfig config, TopicManager topics, Authorizer authorizer) {
        this.config = config;
        this.topics = topics;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ALTER_REPLICA_LOG_DIRS;
    }

    @Override
    public short minVersion() {
        return 1;
    }

    @Override
    public short maxVersion() {
        return 2;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, AlterReplicaLogDirsRequestData request) {
        Map<TopicPartition, String> wanted = new LinkedHashMap<>();
        for (AlterReplicaLogDirsRequestData.AlterReplicaLogDir dir : request.dirs())
            for (AlterReplicaLogDirsRequestData.AlterReplicaLogDirTopic t : dir.topics())
                for (int p : t.partitions()) {
                    TopicPartition tp = new TopicPartition(t.name(), p);
                    wanted.remove(tp); // the last one wins, in its place
                    wanted.put(tp, dir.path());
                }
        boolean allowed = authorizer.authorizeCluster(ctx, AclOperation.ALTER);
        String ours = config.dataDir.toAbsolutePath().normalize().toString();
        Map<String, AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult> byTopic = new LinkedHashMap<>();
        wanted.forEach((tp, dir) -> {
            Errors e;
            if (!allowed) e = Errors.CLUSTER_AUTHORIZATION_FAILED;
            else if (tp.topic() == null || (tp + "").length() + FUTURE_SUFFIX > MAX_DIR_NAME)
                e = Errors.INVALID_TOPIC_EXCEPTION;
            else if (!ours.equals(dir)) e = Errors.LOG_DIR_NOT_FOUND;
            else if (topics.partition(tp.topic(), tp.partition()) == null) e = Errors.UNKNOWN_TOPIC_OR_PARTITION;
            else e = Errors.NONE; // already there
            byTopic.computeIfAbsent(
                            tp.topic(),
                            n -> new AlterReplicaLogDirsResponseData.AlterReplicaLogDirTopicResult().setTopicName(n))
                    .partitions()
                    .add(new AlterReplicaLogDirsResponseData.AlterReplicaLogDirPartitionResult()
                            .setPartitionIndex(tp.partition())
                            .setErrorCode(e.code()));
        });
        AlterReplicaLogDirsResponseData response = new AlterReplicaLogDirsResponseData();
        response.results().addAll(byTopic.values());
        return CompletableFuture.completedFuture(response);
    }
}
