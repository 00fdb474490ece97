package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.TopicPartition;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.TopicImage;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ElectLeadersRequestData;
import dev.skiff.protocol.message.ElectLeadersResponseData;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * ElectLeaders: in a cluster, preferred elections move each partition's leadership back to its first
 * replica when it is alive and in sync (else PREFERRED_LEADER_NOT_AVAILABLE; ELECTION_NOT_NEEDED when it leads
 * already); unclean elections give a partition with no leader one, from the ISR or else any live replica.
 * Null topic partitions mean all of them, and the answer then lists only those where an election was needed.
 * A single broker leads every partition as its only replica, so each named partition answers ELECTION_NOT_NEEDED
 * (UNKNOWN_TOPIC_OR_PARTITION when it does not exist), as a one-node Kafka does.
 *
 * <p>Versions (Kafka's ElectLeaders schemas):
 * <ul>
 * <li>v0: topic partitions and timeout_ms; always a preferred election.
 * <li>v1: adds election_type (0 preferred, 1 unclean); the response adds a top-level error_code (KIP-460).
 * <li>v2: flexible versions.
 * </ul>
 *
 * <p>Authorization (as Kafka's): ALTER on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class ElectLeadersApi implements ApiHandler<ElectLeadersRequestData> {

    private static final byte UNCLEAN = 1;

    private final Controller controller;
    private final TopicManager topics;
    private final Authorizer authorizer;

    /** {@code controller} null: a single broker, which answers from {@code topics}. */
    ElectLeadersApi(Controller controller, TopicManager topics, Authorizer authorizer) {
        this.controller = controller;
        this.topics = topics;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.ELECT_LEADERS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ElectLeadersRequestData request) {
        // Kafka asks ALTER on the cluster
        if (!authorizer.authorizeCluster(ctx, AclOperation.ALTER))
            throw new dev.skiff.protocol.ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        boolean unclean = ctx.apiVersion() >= 1 && request.electionType() == UNCLEAN;
        if (ctx.apiVersion() >= 1 && request.electionType() != 0 && request.electionType() != UNCLEAN)
            throw new dev.skiff.protocol.ApiException(
                    Errors.INVALID_REQUEST, "Unknown election type " + request.electionType());
        boolean all = request.topicPartitions() == null;
        List<TopicPartition> wanted = new ArrayList<>();
        if (all && controller == null) {
            // every partition is led by its only replica: nothing to elect, nothing listed
        } else if (all) {
            for (TopicImage t : controller.image().topics().values())
                for (int p = 0; p < t.partitions().size(); p++) wanted.add(new TopicPartition(t.name(), p));
        } else {
            for (ElectLeadersRequestData.TopicPartitions tp : request.topicPartitions())
                for (int p : tp.partitions()) wanted.add(new TopicPartition(tp.topic(), p));
        }
        Map<TopicPartition, Errors> results =
                controller != null ? controller.electLeaders(unclean, wanted) : alone(wanted);
        Map<String, ElectLeadersResponseData.ReplicaElectionResult> byTopic = new LinkedHashMap<>();
        results.forEach((tp, e) -> {
            if (all && e == Errors.ELECTION_NOT_NEEDED) return;
            byTopic.computeIfAbsent(tp.topic(), n -> new ElectLeadersResponseData.ReplicaElectionResult().setTopic(n))
                    .partitionResult()
                    .add(new ElectLeadersResponseData.PartitionResult()
                            .setPartitionId(tp.partition())
                            .setErrorCode(e.code())
                            .setErrorMessage(e == Errors.NONE ? null : message(e)));
        });
        return CompletableFuture.completedFuture(
                new ElectLeadersResponseData().setReplicaElectionResults(new ArrayList<>(byTopic.values())));
    }

    private Map<TopicPartition, Errors> alone(List<TopicPartition> wanted) {
        Map<TopicPartition, Errors> out = new LinkedHashMap<>();
        for (TopicPartition tp : wanted) {
            dev.skiff.broker.Topic t = topics.get(tp.topic());
            out.put(
                    tp,
                    t != null && t.partition(tp.partition()) != null
                            ? Errors.ELECTION_NOT_NEEDED
                            : Errors.UNKNOWN_TOPIC_OR_PARTITION);
        }
        return out;
    }

    private static String message(Errors e) {
        return switch (e) {
            case ELECTION_NOT_NEEDED -> "Leader election not needed for topic partition.";
            case PREFERRED_LEADER_NOT_AVAILABLE ->
                "Failed to elect leader for partition: the preferred replica is not available.";
            case ELIGIBLE_LEADERS_NOT_AVAILABLE -> "Failed to elect leader for partition: no live replica.";
            case UNKNOWN_TOPIC_OR_PARTITION -> "The partition does not exist.";
            default -> e.name();
        };
    }
}
