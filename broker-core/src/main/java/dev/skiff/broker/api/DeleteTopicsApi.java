package dev.skiff.broker.api;

import dev.skiff.broker.InternalTopics;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.cluster.Controller;
import dev.skiff.broker.security.acl.AclOperation;
import dev.skiff.broker.security.acl.Authorizer;
import dev.skiff.broker.security.acl.ResourceType;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteTopicsRequestData;
import dev.skiff.protocol.message.DeleteTopicsResponseData;
import dev.skiff.protocol.message.DeleteTopicsResponseData.DeletableTopicResult;
import dev.skiff.protocol.types.Uuid;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * DeleteTopics: by name (v0-5: a list of names; v6+: name or id per topic). The topic's logs are deleted at
 * once; an unknown name is UNKNOWN_TOPIC_OR_PARTITION, an unknown id UNKNOWN_TOPIC_ID. Internal topics are
 * refused (INVALID_REQUEST).
 *
 * <p>Versions (Kafka's DeleteTopics schemas):
 * <ul>
 * <li>v0: topic names and timeout_ms.
 * <li>v1: the response adds throttle_time_ms. v2: same as v1.
 * <li>v3: TOPIC_DELETION_DISABLED may be answered.
 * <li>v4: flexible versions.
 * <li>v5: the response adds error_message (THROTTLING_QUOTA_EXCEEDED may be answered, KIP-599).
 * <li>v6: topics by name or by id; the response adds topic_id (UNKNOWN_TOPIC_ID).
 * </ul>
 *
 * <p>Authorization (as Kafka's controller): DESCRIBE on each topic, else TOPIC_AUTHORIZATION_FAILED whether or not
 * it exists; then a missing topic is UNKNOWN_TOPIC_OR_PARTITION (UNKNOWN_TOPIC_ID by id); then DELETE, else
 * TOPIC_AUTHORIZATION_FAILED.
 */
public final class DeleteTopicsApi implements ApiHandler<DeleteTopicsRequestData> {

    private final TopicManager topics;

    private final Controller controller;
    private final Authorizer authorizer;

    DeleteTopicsApi(TopicManager topics, Controller controller, Authorizer authorizer) {
        this.authorizer = authorizer;
        this.topics = topics;
        this.controller = controller;
    }

    @Override
    public ApiKeys api() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public short minVersion() {
        return 0;
    }

    @Override
    public short maxVersion() {
        return 6;
    }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteTopicsRequestData request) {
        // deleting partitions removes files: off the I/O thread
        return topics.offload(() -> answer(ctx, request));
    }

    private ApiMessage answer(RequestContext ctx, DeleteTopicsRequestData request) {
        DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        List<DeleteTopicsRequestData.DeleteTopicState> wanted = new ArrayList<>();
        if (ctx.apiVersion() >= 6) {
            wanted.addAll(request.topics());
        } else {
            for (String name : request.topicNames())
                wanted.add(new DeleteTopicsRequestData.DeleteTopicState()
                        .setName(name)
                        .setTopicId(Uuid.ZERO));
        }
        for (DeleteTopicsRequestData.DeleteTopicState w : wanted)
            response.responses().add(delete(ctx, w));
        return response;
    }

    private DeletableTopicResult delete(RequestContext ctx, DeleteTopicsRequestData.DeleteTopicState w) {
        boolean byId = w.topicId() != null && !w.topicId().equals(Uuid.ZERO);
        DeletableTopicResult r =
                new DeletableTopicResult().setName(w.name()).setTopicId(byId ? w.topicId() : Uuid.ZERO);
        if (byId && w.name() != null) {
            return r.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Topic name and topic id cannot both be set.");
        }
        // by name, as Kafka's controller: no DESCRIBE hides whether the topic exists; a topic that may be
        // described but is missing is UNKNOWN_TOPIC_OR_PARTITION even without DELETE
        if (!byId && !authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, w.name()))
            return r.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code()).setErrorMessage("Authorization failed.");
        Topic t = byId ? topics.get(w.topicId()) : topics.get(w.name());
        if (!byId && t != null && !authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, w.name()))
            return r.setTopicId(t.id())
                    .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                    .setErrorMessage("Authorization failed.");
        if (t != null && byId) {
            // Kafka's controller answers a known id the principal may not describe TOPIC_AUTHORIZATION_FAILED
            // (without its name), so it does tell that the id exists: ids are not guessable, unlike names
            if (!authorizer.authorize(ctx, AclOperation.DESCRIBE, ResourceType.TOPIC, t.name()))
                return r.setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage("Authorization failed.");
            else if (!authorizer.authorize(ctx, AclOperation.DELETE, ResourceType.TOPIC, t.name()))
                return r.setName(t.name())
                        .setErrorCode(Errors.TOPIC_AUTHORIZATION_FAILED.code())
                        .setErrorMessage("Authorization failed.");
        }
        if (t == null) {
            Errors e = byId ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION;
            return r.setErrorCode(e.code())
                    .setErrorMessage(
                            e == Errors.UNKNOWN_TOPIC_ID
                                    ? "This server does not host this topic ID."
                                    : "This server does not host this topic-partition.");
        }
        r.setName(t.name()).setTopicId(t.id());
        if (InternalTopics.isInternal(t.name())) {
            // Kafka 4 leaves this to its tools; deleting the offsets or transaction log loses what clients were
            // promised, so Skiff refuses as Kafka refuses other internal-topic admin (INVALID_REQUEST)
            return r.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("Cannot delete internal topic " + t.name());
        }
        if (controller != null) {
            try {
                controller.deleteTopic(t.name()); // each broker deletes its logs when the image arrives
            } catch (dev.skiff.protocol.ApiException e) {
                r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            }
            return r;
        }
        if (!topics.delete(t.name())) {
            r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("This server does not host this topic-partition.");
        }
        return r;
    }
}
