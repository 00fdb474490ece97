package dev.skiff.broker.api;

import dev.skiff.broker.Partition;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DescribeProducersRequestData;
import dev.skiff.protocol.message.DescribeProducersResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * DescribeProducers: the active idempotent producers of each partition asked for, with their epoch, last
 * sequence and last timestamp. Open transactions are the transactions work's; none is reported here.
 *
 * <p>Versions (Kafka's DescribeProducers schemas):
 * <ul>
 * <li>v0 (the only version): per partition its active producers: id, epoch, last sequence, last timestamp,
 *     coordinator epoch and the start of an open transaction (KIP-664).
 * </ul>
 *
 * <p>Authorization (as Kafka's): READ on each topic, else TOPIC_AUTHORIZATION_FAILED per partition.
 */
public final class DescribeProducersApi implements ApiHandler<DescribeProducersRequestData> {

    private final TopicManager topics;

    private final Authorizer authorizer;

    DescribeProducersApi(TopicManager topics, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.topics = topics;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DESCRIBE_PRODUCERS;
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
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DescribeProducersRequestData request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData();
        for (DescribeProducersRequestData.TopicRequest tq : request.topics()) {
            DescribeProducersResponseData.TopicResponse tr =
                    new DescribeProducersResponseData.TopicResponse().setName(tq.name());
            response.topics().add(tr);
            boolean denied = !authorizer.authorize(ctx, AclOperation.READ, ResourceType.TOPIC, tq.name());
            for (int index : tq.partitionIndexes()) {
                DescribeProducersResponseData.PartitionResponse pr =
                        new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(index);
                tr.partitions().add(pr);
                if (denied) {
                    pr.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code());
                    continue;
                }
                Partition p = topics.partition(tq.name(), index);
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                    continue;
                }
                for (ProducerStateTable.ProducerInfo info : p.producers().producers()) {
                    pr.activeProducers()
                            .add(new DescribeProducersResponseData.ProducerState()
                                    .setProducerId(info.producerId())
                                    .setProducerEpoch(info.epoch())
                                    .setLastSequence(info.lastSequence())
                                    .setLastTimestamp(info.lastTimestamp())
                                    .setCoordinatorEpoch(info.coordinatorEpoch())
                                    .setCurrentTxnStartOffset(
                                            p.transactions().openTransactionStart(info.producerId())));
                }
            }
        }
        return CompletableFuture.completedFuture(response);
    }
}
