package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.log.Log;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.Record;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordIterator;
import dev.skiff.protocol.records.TimestampType;
import dev.skiff.protocol.message.ListOffsetsRequestData;
import dev.skiff.protocol.message.ListOffsetsResponseData;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * ListOffsets: earliest (-2), latest (-1), max timestamp (-3), earliest local/tiered (-4, -5: the same as
 * earliest here) or the first offset at or after a timestamp. Version 0 answers with a list of segment base
 * offsets as Kafka 0.8 did.
 */
public final class ListOffsetsApi implements ApiHandler<ListOffsetsRequestData> {

    static final long LATEST = -1, EARLIEST = -2, MAX_TIMESTAMP = -3, EARLIEST_LOCAL = -4, EARLIEST_TIERED = -5;

    private final Broker broker;

    ListOffsetsApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.LIST_OFFSETS; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 10; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ListOffsetsRequestData request) {
        short v = ctx.apiVersion();
        ListOffsetsResponseData r = new ListOffsetsResponseData();
        for (ListOffsetsRequestData.ListOffsetsTopic rt : request.topics()) {
            Topic t = broker.topics().get(rt.name());
            ListOffsetsResponseData.ListOffsetsTopicResponse tr =
                    new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(rt.name());
            r.topics().add(tr);
            for (ListOffsetsRequestData.ListOffsetsPartition rp : rt.partitions()) {
                ListOffsetsResponseData.ListOffsetsPartitionResponse pr =
                        new ListOffsetsResponseData.ListOffsetsPartitionResponse().setPartitionIndex(rp.partitionIndex());
                tr.partitions().add(pr);
                Partition p = t == null ? null : t.partition(rp.partitionIndex());
                if (p == null) {
                    pr.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
                } else if (v == 0) {
                    pr.setOldStyleOffsets(offsetsBefore(p.log(), rp.timestamp(), rp.maxNumOffsets()));
                } else {
                    answer(p.log(), rp.timestamp(), pr);
                    // read_committed consumers (v2+) see the end of the log as its last stable offset
                    if (v >= 2 && request.isolationLevel() == 1 && rp.timestamp() == LATEST) pr.setOffset(p.lastStableOffset());
                }
            }
        }
        return CompletableFuture.completedFuture(r);
    }

    private static void answer(Log log, long timestamp, ListOffsetsResponseData.ListOffsetsPartitionResponse pr) {
        pr.setLeaderEpoch(0);
        if (timestamp == LATEST) {
            pr.setOffset(log.logEndOffset()).setTimestamp(-1);
        } else if (timestamp == EARLIEST || timestamp == EARLIEST_LOCAL || timestamp == EARLIEST_TIERED) {
            pr.setOffset(log.logStartOffset()).setTimestamp(-1);
        } else if (timestamp == MAX_TIMESTAMP) {
            Log.TimestampOffset max = inBatch(log, log.maxTimestamp(), Long.MIN_VALUE, true);
            pr.setOffset(max == null ? -1 : max.offset()).setTimestamp(max == null ? -1 : max.timestamp());
        } else if (timestamp < 0) {
            pr.setErrorCode(Errors.INVALID_REQUEST.code());
        } else {
            Log.TimestampOffset found = inBatch(log, log.offsetForTimestamp(timestamp), timestamp, false);
            pr.setOffset(found == null ? -1 : found.offset()).setTimestamp(found == null ? -1 : found.timestamp());
        }
    }

    /**
     * The log finds the batch; Kafka answers with the record. Looks inside the batch at {@code found} for the
     * first record at or after {@code timestamp} (or, with {@code max}, the first record with the batch's
     * largest timestamp). Records of a log-append-time batch all carry the batch's time.
     */
    private static Log.TimestampOffset inBatch(Log log, Log.TimestampOffset found, long timestamp, boolean max) {
        if (found == null) return null;
        java.nio.ByteBuffer bytes = log.read(found.offset(), 1, true).readFully();
        if (bytes.remaining() < RecordBatch.HEADER_SIZE) return found;
        RecordBatch batch = RecordBatch.wrap(bytes, bytes.position());
        if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) return found;
        long want = max ? batch.maxTimestamp() : timestamp;
        try (RecordIterator records = batch.records()) {
            while (records.hasNext()) {
                Record r = records.next();
                if (r.offset() >= log.logStartOffset() && r.timestamp() >= want) {
                    return new Log.TimestampOffset(r.timestamp(), r.offset());
                }
            }
        }
        return found;
    }

    /**
     * Kafka 0.8's answer: candidate offsets are the segment base offsets (with their last-modified times) and,
     * when the active segment holds data, the log end offset (as of now); the result lists, newest first, the
     * candidates at or before the requested time, at most maxNumOffsets of them.
     */
    static List<Long> offsetsBefore(Log log, long timestamp, int maxNumOffsets) {
        List<Long> bases = new ArrayList<>(log.segmentBaseOffsets());
        List<Long> times = new ArrayList<>(log.segmentLastModified());
        if (!bases.isEmpty()) bases.set(0, Math.max(bases.get(0), log.logStartOffset()));
        long leo = log.logEndOffset();
        if (bases.isEmpty() || leo > bases.get(bases.size() - 1)) {
            bases.add(leo);
            times.add(System.currentTimeMillis());
        }
        int start;
        if (timestamp == LATEST) start = bases.size() - 1;
        else if (timestamp == EARLIEST) start = 0;
        else {
            start = -1;
            for (int i = bases.size() - 1; i >= 0; i--) {
                if (times.get(i) <= timestamp) {
                    start = i;
                    break;
                }
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = start; i >= 0 && out.size() < maxNumOffsets; i--) out.add(bases.get(i));
        return out;
    }
}
