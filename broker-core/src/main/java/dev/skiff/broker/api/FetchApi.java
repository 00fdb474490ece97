package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.broker.fetch.DelayedFetch;
import dev.skiff.broker.txn.StableSlice;
import dev.skiff.log.AbortedTxn;
import dev.skiff.log.Log;
import dev.skiff.log.LogSlice;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.records.LegacyConverter;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.FileRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Fetch: whole record batches from each partition's log, sent from the segment file with zero copy for
 * clients that read batches v2 (v4+), down-converted to magic 1 (v2-3) or magic 0 (v0-1) for older ones.
 * With too little data for min_bytes the request waits, up to max_wait_ms, for an append to any of its
 * partitions. Fetch sessions are declined (session id 0), which clients answer with full fetches.
 */
public final class FetchApi implements ApiHandler<FetchRequestData> {

    private final Broker broker;

    FetchApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.FETCH; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 17; }

    /** One partition of the request, resolved. */
    private record Wanted(FetchRequestData.FetchTopic topic, FetchRequestData.FetchPartition fp, Topic t, Partition p) {}

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, FetchRequestData request) {
        short v = ctx.apiVersion();
        if (v >= 7 && request.sessionId() != 0) {
            return CompletableFuture.completedFuture(new FetchResponseData()
                    .setErrorCode(Errors.FETCH_SESSION_ID_NOT_FOUND.code()).setSessionId(0));
        }
        List<Wanted> wanted = new ArrayList<>();
        boolean anyError = false;
        for (FetchRequestData.FetchTopic ft : request.topics()) {
            Topic t = v >= 13 ? broker.topics().get(ft.topicId()) : broker.topics().get(ft.topic());
            for (FetchRequestData.FetchPartition fp : ft.partitions()) {
                Partition p = t == null ? null : t.partition(fp.partition());
                anyError |= p == null;
                wanted.add(new Wanted(ft, fp, t, p));
            }
        }
        int maxBytes = v >= 3 ? request.maxBytes() : Integer.MAX_VALUE;
        // read_committed (v4+): data only below each partition's last stable offset; older clients read uncommitted
        boolean committed = v >= 4 && request.isolationLevel() == 1;
        if (anyError || request.maxWaitMs() <= 0 || available(wanted, maxBytes, committed) >= Math.max(1, request.minBytes())) {
            return CompletableFuture.completedFuture(respond(v, wanted, maxBytes, committed));
        }
        List<Partition> partitions = wanted.stream().map(Wanted::p).toList();
        return DelayedFetch.await(broker.scheduler(), ctx.connection(), partitions, request.maxWaitMs(),
                () -> available(wanted, maxBytes, committed) >= request.minBytes())
                .thenApply(ignored -> respond(v, wanted, maxBytes, committed));
    }

    /** Bytes a fetch would return now, without reading them. */
    private static long available(List<Wanted> wanted, int maxBytes, boolean committed) {
        long total = 0;
        for (Wanted w : wanted) {
            if (w.p == null) continue;
            long offset = w.fp.fetchOffset();
            Log log = w.p.log();
            if (offset < log.logStartOffset() || offset > log.logEndOffset()) return Long.MAX_VALUE; // answer now
            if (offset == log.logEndOffset()) continue;
            long stable = committed ? w.p.lastStableOffset() : Long.MAX_VALUE;
            if (offset >= stable) continue;
            try {
                LogSlice slice = w.p.read(offset, w.fp.partitionMaxBytes(), true);
                total += committed ? StableSlice.cut(slice, stable).slice().size() : slice.size();
            } catch (RuntimeException e) {
                return Long.MAX_VALUE;
            }
            if (total >= maxBytes) break;
        }
        return total;
    }

    private FetchResponseData respond(short v, List<Wanted> wanted, int maxBytes, boolean committed) {
        FetchResponseData r = new FetchResponseData().setSessionId(0);
        FetchResponseData.FetchableTopicResponse current = null;
        int budget = maxBytes;
        boolean first = true;
        for (Wanted w : wanted) {
            if (current == null || !sameTopic(current, w)) {
                current = new FetchResponseData.FetchableTopicResponse().setTopic(w.topic.topic())
                        .setTopicId(w.topic.topicId());
                r.responses().add(current);
            }
            FetchResponseData.PartitionData pd = new FetchResponseData.PartitionData()
                    .setPartitionIndex(w.fp.partition()).setRecords(BufferRecords.EMPTY);
            current.partitions().add(pd);
            if (w.p == null) {
                pd.setErrorCode((v >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code())
                        .setHighWatermark(-1);
                continue;
            }
            long hw = w.p.highWatermark();
            long lso = Math.min(hw, w.p.lastStableOffset());
            pd.setHighWatermark(hw).setLastStableOffset(lso).setLogStartOffset(w.p.logStartOffset());
            if (v >= 4) pd.setAbortedTransactions(new ArrayList<>());
            int limit = Math.min(budget, w.fp.partitionMaxBytes());
            if (limit <= 0 && !first) continue;
            try {
                RecordsData records = committed
                        ? readCommitted(w.p, w.fp.fetchOffset(), Math.max(limit, 0), first, lso, pd)
                        : read(v, w.p, w.fp.fetchOffset(), Math.max(limit, 0), first || v < 3);
                pd.setRecords(records);
                if (records.sizeInBytes() > 0) {
                    first = false;
                    budget -= records.sizeInBytes();
                }
            } catch (Log.OffsetOutOfRangeException e) {
                failed(pd, Errors.OFFSET_OUT_OF_RANGE);
            } catch (LogStorageException e) {
                failed(pd, Errors.KAFKA_STORAGE_ERROR);
            }
        }
        return r;
    }

    /** A partition that could not be read: Kafka answers its offsets as unknown (-1), and so do we. */
    private static void failed(FetchResponseData.PartitionData pd, Errors error) {
        pd.setErrorCode(error.code()).setHighWatermark(-1).setLastStableOffset(-1).setLogStartOffset(-1);
    }

    private static boolean sameTopic(FetchResponseData.FetchableTopicResponse current, Wanted w) {
        return java.util.Objects.equals(current.topic(), w.topic.topic())
                && java.util.Objects.equals(current.topicId(), w.topic.topicId());
    }

    /** Whole batches below the last stable offset, with the aborted transactions they overlap. */
    private static RecordsData readCommitted(Partition p, long offset, int maxBytes, boolean minOne, long stable,
                                             FetchResponseData.PartitionData pd) {
        if (offset >= stable) {
            if (offset < p.logStartOffset() || offset > p.log().logEndOffset()) throw new Log.OffsetOutOfRangeException("offset " + offset);
            return BufferRecords.EMPTY;
        }
        StableSlice cut = StableSlice.cut(p.read(offset, maxBytes, minOne), stable);
        LogSlice slice = cut.slice();
        if (slice.size() == 0) return BufferRecords.EMPTY;
        for (AbortedTxn a : p.log().abortedTransactions(offset, cut.nextOffset())) {
            pd.abortedTransactions().add(new FetchResponseData.AbortedTransaction()
                    .setProducerId(a.producerId()).setFirstOffset(a.firstOffset()));
        }
        return slice.isFile() ? new FileRecords(slice.channel(), slice.position(), slice.size())
                : BufferRecords.of(slice.buffer());
    }

    private static RecordsData read(short v, Partition p, long offset, int maxBytes, boolean minOne) {
        if (offset == p.log().logEndOffset()) return BufferRecords.EMPTY;
        LogSlice slice = p.read(offset, maxBytes, minOne);
        if (slice.size() == 0) return BufferRecords.EMPTY;
        if (v >= 4) {
            return slice.isFile() ? new FileRecords(slice.channel(), slice.position(), slice.size())
                    : BufferRecords.of(slice.buffer());
        }
        // Clients before Fetch v4 read only legacy message sets: magic 1 from v2, magic 0 before.
        byte magic = (byte) (v >= 2 ? 1 : 0);
        ByteBuffer converted = LegacyConverter.downConvert(slice.readFully(), magic, offset, Math.max(maxBytes, 1));
        return BufferRecords.of(converted);
    }
}
