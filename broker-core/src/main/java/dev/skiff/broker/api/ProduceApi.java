package dev.skiff.broker.api;

import dev.skiff.broker.Broker;
import dev.skiff.broker.Partition;
import dev.skiff.broker.ProducerStateTable;
import dev.skiff.broker.RequestContext;
import dev.skiff.broker.Topic;
import dev.skiff.log.Log;
import dev.skiff.log.LogStorageException;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.ProduceRequestData;
import dev.skiff.protocol.message.ProduceResponseData;
import dev.skiff.protocol.records.BatchSummary;
import dev.skiff.protocol.records.CorruptRecordException;
import dev.skiff.protocol.records.DecompressionBudget;
import dev.skiff.protocol.records.InvalidRecordException;
import dev.skiff.protocol.records.LegacyConverter;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.ValidationResult;
import dev.skiff.protocol.types.BufferRecords;
import dev.skiff.protocol.types.RecordsData;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Produce: validate each partition's records where they lie in the request buffer, up-convert legacy message
 * sets (magic 0/1) to record batches v2, drop idempotent retries, append, answer. acks=0 gets no answer.
 */
public final class ProduceApi implements ApiHandler<ProduceRequestData> {

    private static final Logger log = LoggerFactory.getLogger(ProduceApi.class);

    private final Broker broker;

    ProduceApi(Broker broker) { this.broker = broker; }

    @Override public ApiKeys api() { return ApiKeys.PRODUCE; }
    @Override public short minVersion() { return 0; }
    @Override public short maxVersion() { return 12; }

    @Override
    public CompletableFuture<ApiMessage> handle(RequestContext ctx, ProduceRequestData request) {
        ProduceResponseData response = new ProduceResponseData();
        boolean fsync = request.acks() == -1 && broker.config().fsyncOnAcksAll;
        // what the whole request may decompress, shared by its partitions (a small request can claim gigabytes)
        DecompressionBudget budget = DecompressionBudget.forRequest(broker.config().messageMaxBytes);
        for (ProduceRequestData.TopicProduceData td : request.topicData()) {
            Topic topic = td.topicId() != null && ctx.apiVersion() >= 13
                    ? broker.topics().get(td.topicId()) : broker.topics().get(td.name());
            ProduceResponseData.TopicProduceResponse tr = new ProduceResponseData.TopicProduceResponse()
                    .setName(td.name()).setTopicId(td.topicId());
            response.responses().add(tr);
            for (ProduceRequestData.PartitionProduceData pd : td.partitionData()) {
                ProduceResponseData.PartitionProduceResponse pr = new ProduceResponseData.PartitionProduceResponse()
                        .setIndex(pd.index()).setBaseOffset(-1);
                tr.partitionResponses().add(pr);
                Partition p = topic == null ? null : topic.partition(pd.index());
                if (p == null) {
                    pr.setErrorCode((ctx.apiVersion() >= 13 ? Errors.UNKNOWN_TOPIC_ID : Errors.UNKNOWN_TOPIC_OR_PARTITION).code());
                    continue;
                }
                produce(ctx, topic, p, pd.records(), pr, request.transactionalId(), budget);
                if (fsync && pr.errorCode() == 0) fsync(p, pr);
            }
        }
        return CompletableFuture.completedFuture(request.acks() == 0 ? null : response);
    }

    /** skiff.fsync.on.acks.all: the answer waits for the disk; a failed fsync is a storage error, not an ack. */
    private static void fsync(Partition p, ProduceResponseData.PartitionProduceResponse pr) {
        try {
            p.log().flush();
        } catch (LogStorageException e) {
            log.error("fsync of {} failed: {}", p.id(), e.getMessage());
            pr.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setErrorMessage(e.getMessage());
        }
    }

    private void produce(RequestContext ctx, Topic topic, Partition p, RecordsData records,
                         ProduceResponseData.PartitionProduceResponse pr, String transactionalId,
                         DecompressionBudget budget) {
        if (!(records instanceof BufferRecords br) || br.sizeInBytes() == 0) {
            pr.setErrorCode(Errors.CORRUPT_MESSAGE.code()).setErrorMessage("Produce request has no records");
            return;
        }
        ByteBuffer batches = RecordBatches.nioView(br.buf());
        Topic.AppendRules rules = topic.appendRules();
        int maxMessageBytes = rules.maxMessageBytes();
        boolean logAppendTime = rules.logAppendTime();
        try {
            byte magic = RecordBatches.magic(batches);
            if (magic < 0) throw new CorruptRecordException("Records are too short");
            if (magic < RecordBatch.MAGIC) {
                if (ctx.apiVersion() >= 3) throw new InvalidRecordException("Produce v3+ needs record batches v2");
                batches = LegacyConverter.upConvert(batches, maxMessageBytes, budget);
            }
            // every record is read; compacted topics keep the latest record per key, so a record without a key
            // has no place there (Kafka: INVALID_RECORD)
            ValidationResult valid = RecordBatches.validateProduce(batches, rules.compacted(), budget);
            for (BatchSummary b : valid.batches()) {
                if (b.sizeInBytes() > maxMessageBytes) {
                    pr.setErrorCode(Errors.MESSAGE_TOO_LARGE.code()).setErrorMessage("Batch of " + b.sizeInBytes()
                            + " bytes is larger than max.message.bytes " + maxMessageBytes);
                    return;
                }
            }
            long now = System.currentTimeMillis();
            if (logAppendTime) {
                for (BatchSummary b : valid.batches()) RecordBatch.wrap(batches, b.position()).setLogAppendTime(now);
            }
            pr.setLogAppendTimeMs(logAppendTime ? now : -1);
            append(p, batches, valid.batches().get(0), pr);
        } catch (CorruptRecordException e) {
            log.debug("Rejected corrupt records for {} from {}: {}", p.id(), ctx.clientAddress(), e.getMessage());
            pr.setErrorCode(Errors.CORRUPT_MESSAGE.code()).setErrorMessage(e.getMessage());
        } catch (InvalidRecordException e) {
            pr.setErrorCode(Errors.INVALID_RECORD.code()).setErrorMessage(e.getMessage());
        } catch (ApiException e) {
            pr.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
        } catch (LogStorageException e) {
            log.error("Append to {} failed: {}", p.id(), e.getMessage());
            pr.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code()).setErrorMessage(e.getMessage());
        }
        pr.setLogStartOffset(p.logStartOffset());
    }

    /**
     * Appends the batches; for idempotent producers the sequence check and the append happen under the
     * partition lock so two retries racing on two connections cannot both land.
     */
    private void append(Partition p, ByteBuffer batches, BatchSummary first,
                        ProduceResponseData.PartitionProduceResponse pr) {
        if (first.producerId() < 0) {
            Log.AppendInfo info = p.append(batches);
            pr.setBaseOffset(info.firstOffset());
            return;
        }
        p.locked(() -> {
            if (first.transactional()) { // V1 transactions add a partition before producing to it
                Errors txnError = broker.transactions().verifyProduce(first.producerId(), first.producerEpoch(), p.id());
                if (txnError != Errors.NONE) {
                    pr.setErrorCode(txnError.code()).setErrorMessage("Producer " + first.producerId() + " epoch "
                            + first.producerEpoch() + " has no ongoing transaction with " + p.id());
                    return null;
                }
            }
            ProducerStateTable producers = p.producers();
            int lastSeq = first.baseSequence() < 0 ? -1
                    : ProducerStateTable.lastSequence(first.baseSequence(), first.lastOffsetDelta() + 1);
            ProducerStateTable.Verdict v = producers.check(first.producerId(), first.producerEpoch(),
                    first.baseSequence(), lastSeq);
            if (v instanceof ProducerStateTable.Duplicate d) {
                pr.setBaseOffset(d.firstOffset()); // a retry: acknowledged again, not appended twice
            } else if (v instanceof ProducerStateTable.Reject r) {
                pr.setErrorCode(r.errorCode()).setErrorMessage(r.message());
            } else {
                Log.AppendInfo info = p.append(batches);
                pr.setBaseOffset(info.firstOffset());
                producers.update(first.producerId(), first.producerEpoch(), first.baseSequence(), lastSeq,
                        info.firstOffset(), info.lastOffset(), info.maxTimestamp());
            }
            return null;
        });
    }
}
