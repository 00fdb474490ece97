package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.admin.AdminException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.CreatePartitionsRequestData;
import dev.skiff.protocol.message.CreatePartitionsRequestData.CreatePartitionsAssignment;
import dev.skiff.protocol.message.CreatePartitionsResponseData;
import dev.skiff.protocol.message.CreatePartitionsResponseData.CreatePartitionsTopicResult;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** CreatePartitions: grows a topic to the requested count; it can never shrink (INVALID_PARTITIONS). */
public final class CreatePartitionsApi implements ApiHandler<CreatePartitionsRequestData> {

    private final Broker broker;

    CreatePartitionsApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.CREATE_PARTITIONS; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 3; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, CreatePartitionsRequestData request) {
        CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        Map<String, Integer> count = new HashMap<>();
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) count.merge(t.name(), 1, Integer::sum);
        for (CreatePartitionsRequestData.CreatePartitionsTopic t : request.topics()) {
            CreatePartitionsTopicResult r = new CreatePartitionsTopicResult().setName(t.name());
            response.results().add(r);
            try {
                if (count.get(t.name()) > 1) throw new AdminException(Errors.INVALID_REQUEST, "Duplicate topic in request.");
                grow(t, request.validateOnly());
            } catch (AdminException e) {
                r.setErrorCode(e.error().code()).setErrorMessage(e.error().message());
            } catch (ApiException e) {
                r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private void grow(CreatePartitionsRequestData.CreatePartitionsTopic t, boolean validateOnly) {
        Topic topic = broker.topics().get(t.name());
        if (topic == null)
            throw new AdminException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        int current = topic.partitions().size();
        if (t.count() < current)
            throw new AdminException(Errors.INVALID_PARTITIONS, "The topic " + t.name() + " currently has " + current
                    + " partition(s); " + t.count() + " would not be an increase.");
        if (t.count() == current)
            throw new AdminException(Errors.INVALID_PARTITIONS, "Topic already has " + current + " partition(s).");
        List<CreatePartitionsAssignment> assignments = t.assignments();
        if (assignments != null) {
            if (assignments.size() != t.count() - current)
                throw new AdminException(Errors.INVALID_REPLICA_ASSIGNMENT, "Attempted to add " + (t.count() - current)
                        + " additional partition(s), but only " + assignments.size() + " assignment(s) were specified.");
            for (CreatePartitionsAssignment a : assignments) {
                if (a.brokerIds().size() != 1 || a.brokerIds().get(0) != broker.nodeId())
                    throw new AdminException(Errors.INVALID_REPLICA_ASSIGNMENT, "The manual partition assignment includes broker(s) "
                            + a.brokerIds() + ", but only broker " + broker.nodeId() + " is registered.");
            }
        }
        if (validateOnly) return;
        try {
            if (broker.topics().addPartitions(t.name(), t.count()) == null)
                throw new AdminException(Errors.UNKNOWN_TOPIC_OR_PARTITION, "This server does not host this topic-partition.");
        } catch (IllegalArgumentException e) {
            throw new AdminException(Errors.INVALID_PARTITIONS, e.getMessage());   // raced with another grow
        }
    }
}
