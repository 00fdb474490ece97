package dev.skiff.server.faults;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.ErrorResponse;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.MetadataResponseData;
import dev.skiff.protocol.message.OffsetFetchResponseData;
import dev.skiff.protocol.message.ProduceRequestData;
import java.util.EnumSet;
import java.util.Set;

/**
 * The answer a broker failing with one error code would give: the generated {@link ErrorResponse} (the
 * request's topics and partitions mirrored, each carrying the error, where the API has them; the top-level
 * error code otherwise), with the few adjustments a fault needs. Metadata is the exception: the broker answers
 * it and the error is set on the topics the fault is about, so the client still learns the brokers and keeps
 * retrying, as with a leader election in progress.
 */
public final class ErrorResponses {

    private static final String MESSAGE = "Injected by a Skiff fault";

    /** Errors that concern the group as a whole; others go on the partitions of an OffsetFetch answer. */
    private static final Set<Errors> GROUP_LEVEL = EnumSet.of(
            Errors.COORDINATOR_LOAD_IN_PROGRESS,
            Errors.COORDINATOR_NOT_AVAILABLE,
            Errors.NOT_COORDINATOR,
            Errors.GROUP_AUTHORIZATION_FAILED,
            Errors.GROUP_ID_NOT_FOUND,
            Errors.INVALID_GROUP_ID,
            Errors.UNKNOWN_MEMBER_ID,
            Errors.STALE_MEMBER_EPOCH);

    /** Every API has a generated error response. */
    public static boolean supports(ApiKeys api) {
        return api != null;
    }

    public static Set<ApiKeys> supported() {
        return EnumSet.allOf(ApiKeys.class);
    }

    /** The error answer to a request of any API but Metadata; null for an acks=0 produce, which gets no answer. */
    public static ApiMessage build(ApiMessage request, short version, Errors error) {
        if (request instanceof ProduceRequestData r && r.acks() == 0) return null;
        ApiMessage out = ErrorResponse.of(request, version, error, MESSAGE);
        if (out instanceof FetchResponseData f && request instanceof FetchRequestData r) {
            // An incremental fetch keeps its session; a full one is answered without creating any.
            f.setSessionId(r.sessionEpoch() > 0 ? r.sessionId() : 0);
        } else if (out instanceof OffsetFetchResponseData o) {
            placeOffsetFetchError(o, error);
        }
        return out;
    }

    /** A group error sits at the top (and on each group), any other on the partitions only. */
    private static void placeOffsetFetchError(OffsetFetchResponseData r, Errors error) {
        boolean groupLevel = GROUP_LEVEL.contains(error);
        short top = groupLevel ? error.code() : 0;
        short partition = groupLevel ? 0 : error.code();
        r.setErrorCode(top);
        if (r.topics() != null) {
            for (OffsetFetchResponseData.OffsetFetchResponseTopic t : r.topics())
                for (OffsetFetchResponseData.OffsetFetchResponsePartition p : t.partitions()) p.setErrorCode(partition);
        }
        for (OffsetFetchResponseData.OffsetFetchResponseGroup g : r.groups()) {
            g.setErrorCode(top);
            if (g.topics() == null) continue;
            for (OffsetFetchResponseData.OffsetFetchResponseTopics t : g.topics())
                for (OffsetFetchResponseData.OffsetFetchResponsePartitions p : t.partitions())
                    p.setErrorCode(partition);
        }
    }

    /** The broker's Metadata answer with {@code error} on {@code topic} (null: every topic in it). */
    static MetadataResponseData withTopicErrors(MetadataResponseData r, Errors error, String topic) {
        for (MetadataResponseData.MetadataResponseTopic t : r.topics()) {
            if (topic != null && !topic.equals(t.name())) continue;
            t.setErrorCode(error.code());
            t.partitions().clear();
        }
        return r;
    }

    private ErrorResponses() {}
}
