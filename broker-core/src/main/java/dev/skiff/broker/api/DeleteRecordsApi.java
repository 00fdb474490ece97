package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.RequestContext;
import dev.skiff.log.Log;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.DeleteRecordsRequestData;
import dev.skiff.protocol.message.DeleteRecordsResponseData;
import dev.skiff.protocol.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DeleteRecords: moves each partition's log start offset forward to the given offset (-1: the high
 * watermark) and answers with the new low watermark. Offsets above the high watermark are OFFSET_OUT_OF_RANGE.
 */
public final class DeleteRecordsApi implements ApiHandler<DeleteRecordsRequestData> {

    private static final Logger log = LoggerFactory.getLogger(DeleteRecordsApi.class);
    private static final long HIGH_WATERMARK = -1L;

    private final Broker broker;

    DeleteRecordsApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.DELETE_RECORDS; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 2; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, DeleteRecordsRequestData request) {
        DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        for (DeleteRecordsRequestData.DeleteRecordsTopic t : request.topics()) {
            DeleteRecordsResponseData.DeleteRecordsTopicResult tr = new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(t.name());
            response.topics().add(tr);
            for (DeleteRecordsRequestData.DeleteRecordsPartition p : t.partitions()) {
                tr.partitions().add(delete(broker.topics().partition(t.name(), p.partitionIndex()), p));
            }
        }
        return CompletableFuture.completedFuture(response);
    }

    private DeleteRecordsPartitionResult delete(Partition p, DeleteRecordsRequestData.DeleteRecordsPartition req) {
        DeleteRecordsPartitionResult r = new DeleteRecordsPartitionResult().setPartitionIndex(req.partitionIndex()).setLowWatermark(-1);
        if (p == null) return r.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code());
        // under the append lock: the high watermark read is the one the deletion is checked against
        Errors e = p.locked(() -> {
            long hw = p.highWatermark();
            long offset = req.offset() == HIGH_WATERMARK ? hw : req.offset();
            if (offset < 0 || offset > hw) return Errors.OFFSET_OUT_OF_RANGE;
            try {
                p.log().deleteRecordsBefore(offset);
                return Errors.NONE;
            } catch (Log.OffsetOutOfRangeException ex) {
                return Errors.OFFSET_OUT_OF_RANGE;
            } catch (LogStorageException ex) {
                log.error("DeleteRecords on {} failed: {}", p.id(), ex.getMessage());
                return Errors.KAFKA_STORAGE_ERROR;
            }
        });
        r.setErrorCode(e.code());
        if (e == Errors.NONE) r.setLowWatermark(p.logStartOffset());
        return r;
    }
}
