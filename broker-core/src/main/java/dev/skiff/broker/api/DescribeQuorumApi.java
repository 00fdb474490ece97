package dev.skiff.broker.api;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.cluster.MetadataImage;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeQuorumRequestData;
import dev.skiff.protocol.message.DescribeQuorumResponseData;
import dev.skiff.protocol.types.Uuid;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeQuorum: Skiff has no Raft quorum, so it describes the one it behaves like, a single voter that always
 * leads at epoch 1: a single broker is that voter, with high watermark 0 (it keeps no metadata log); in a cluster
 * the in-process controller is, its node id the image's controller id and its high watermark the offset of the
 * image, and every other registered broker is an observer, caught up while it is alive. As Kafka, any request but
 * one for partition 0 of {@code __cluster_metadata} is UNKNOWN_TOPIC_OR_PARTITION as a whole.
 * {@code kafka-metadata-quorum describe --status/--replication} asks it.
 *
 * <p>Versions (Kafka's DescribeQuorum schemas):
 * <ul>
 * <li>v0 (KIP-595): leader, epoch, high watermark, voters and observers with their log end offsets.
 * <li>v1 (KIP-836): each replica's last fetch and last caught-up timestamps.
 * <li>v2 (KIP-853): error messages, replica directory ids, and the nodes' listeners.
 * </ul>
 *
 * <p>Authorization (as Kafka's): DESCRIBE on the cluster, else CLUSTER_AUTHORIZATION_FAILED.
 */
public final class DescribeQuorumApi implements ApiHandler<DescribeQuorumRequestData> {

    private static final String METADATA_TOPIC = "__cluster_metadata";

    private final int nodeId;
    private final AdvertisedAddress address;
    private final Controller controller;
    private final Authorizer authorizer;

    DescribeQuorumApi(int nodeId, AdvertisedAddress address, Controller controller, Authorizer authorizer) {
        this.nodeId = nodeId;
        this.address = address;
        this.controller = controller;
        this.authorizer = authorizer;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_QUORUM;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeQuorumRequestData request) {
        if (!authorizer.authorizeCluster(ctx, AclOperation.DESCRIBE))
            throw new ApiException(
                    Errors.CLUSTER_AUTHORIZATION_FAILED, Authorizer.message(Errors.CLUSTER_AUTHORIZATION_FAILED));
        if (request.topics().size() != 1
                || !METADATA_TOPIC.equals(request.topics().get(0).topicName())
                || request.topics().get(0).partitions().size() != 1
                || request.topics().get(0).partitions().get(0).partitionIndex() != 0)
            throw new ApiException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "The request asks for no metadata partition");
        long now = System.currentTimeMillis();
        MetadataImage image = controller == null ? null : controller.image();
        int leader = image == null ? nodeId : image.controllerId();
        long highWatermark = image == null ? 0 : Math.max(0, image.offset() + 1);
        // every node with its address, ordered by id; the leader first among the voters
        TreeMap<Integer, BrokerEndpoint> nodes = new TreeMap<>();
        if (image != null) nodes.putAll(image.registeredBrokers());
        else nodes.put(nodeId, new BrokerEndpoint(nodeId, address.host(), address.port(), null));
        DescribeQuorumResponseData.PartitionData partition = new DescribeQuorumResponseData.PartitionData()
                .setPartitionIndex(0)
                .setLeaderId(leader)
                .setLeaderEpoch(1)
                .setHighWatermark(highWatermark);
        partition.currentVoters().add(replica(leader, highWatermark, now));
        for (int id : nodes.keySet()) {
            if (id == leader) continue;
            boolean alive = image == null || image.isAlive(id);
            partition.observers().add(replica(id, alive ? highWatermark : -1, alive ? now : -1));
        }
        DescribeQuorumResponseData response = new DescribeQuorumResponseData();
        response.topics()
                .add(new DescribeQuorumResponseData.TopicData()
                        .setTopicName(METADATA_TOPIC)
                        .setPartitions(new java.util.ArrayList<>(List.of(partition))));
        nodes.values()
                .forEach(n -> response.nodes()
                        .add(new DescribeQuorumResponseData.Node()
                                .setNodeId(n.id())
                                .setListeners(
                                        new java.util.ArrayList<>(List.of(new DescribeQuorumResponseData.Listener()
                                                .setName("PLAINTEXT")
                                                .setHost(n.host())
                                                .setPort(n.port()))))));
        return CompletableFuture.completedFuture(response);
    }

    private static DescribeQuorumResponseData.ReplicaState replica(int id, long logEndOffset, long caughtUpAt) {
        return new DescribeQuorumResponseData.ReplicaState()
                .setReplicaId(id)
                .setReplicaDirectoryId(Uuid.ZERO)
                .setLogEndOffset(logEndOffset)
                .setLastFetchTimestamp(caughtUpAt)
                .setLastCaughtUpTimestamp(caughtUpAt);
    }
}
