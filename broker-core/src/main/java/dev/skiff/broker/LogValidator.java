package dev.skiff.broker;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.BatchSummary;
import dev.skiff.protocol.records.CorruptRecordException;
import dev.skiff.protocol.records.DecompressionBudget;
import dev.skiff.protocol.records.InvalidRecordException;
import dev.skiff.protocol.records.LegacyConverter;
import dev.skiff.protocol.records.RecordBatch;
import dev.skiff.protocol.records.RecordBatches;
import dev.skiff.protocol.records.ValidationResult;
import java.nio.ByteBuffer;

/**
 * The rules records must pass before a leader appends them, as Kafka's LogValidator: well-formed batches v2
 * (legacy message sets up-converted), the topic's max.message.bytes, keys on compacted topics, no control
 * batches from clients, CreateTime timestamps within message.timestamp.before/after.max.ms, and LogAppendTime
 * stamped. Every record is read, streaming and without keeping it, so the produce path allocates nothing per
 * record and compressed records inflate only as far as the request's {@link DecompressionBudget} allows.
 */
public final class LogValidator {

    /** Batches ready to append: possibly a new buffer (up-converted), their summary, the append time used. */
    public record ValidatedRecords(ByteBuffer batches, ValidationResult summary, long logAppendTimeMs) {
        public BatchSummary first() {
            return summary.batches().get(0);
        }
    }

    private LogValidator() {}

    /**
     * Validates {@code batches} for a partition of a topic with {@code rules}. {@code legacyAllowed}: the
     * request version still carries message sets v0/v1 (Produce v0-2). Fails with CORRUPT_MESSAGE,
     * INVALID_RECORD, MESSAGE_TOO_LARGE or INVALID_TIMESTAMP.
     */
    public static ValidatedRecords validate(
            ByteBuffer batches,
            boolean legacyAllowed,
            Topic.AppendRules rules,
            AppendOrigin origin,
            long now,
            DecompressionBudget budget) {
        try {
            byte magic = RecordBatches.magic(batches);
            if (magic < 0) throw new ApiException(Errors.CORRUPT_MESSAGE, "Records are too short");
            ValidationResult valid;
            // every record is read (streaming, within the request's decompression budget); compacted topics keep
            // the latest record per key, so a record without a key has no place there
            if (magic < RecordBatch.MAGIC) {
                if (!legacyAllowed)
                    throw new ApiException(Errors.INVALID_RECORD, "Produce v3+ needs record batches v2");
                batches = LegacyConverter.upConvert(batches, rules.maxMessageBytes(), budget);
                valid = RecordBatches.validateDeep(batches, rules.compacted(), budget);
            } else if (origin == AppendOrigin.CLIENT) {
                // refuses control batches too: a client's marker would end transactions behind the coordinator
                valid = RecordBatches.validateProduce(batches, rules.compacted(), budget);
            } else {
                valid = RecordBatches.validateDeep(batches, rules.compacted(), budget); // markers are control batches
            }
            for (BatchSummary b : valid.batches()) {
                check(b, rules, now);
            }
            long appendTime = -1;
            if (rules.logAppendTime()) {
                appendTime = now;
                for (BatchSummary b : valid.batches())
                    RecordBatch.wrap(batches, b.position()).setLogAppendTime(now);
            }
            return new ValidatedRecords(batches, valid, appendTime);
        } catch (CorruptRecordException e) {
            throw new ApiException(Errors.CORRUPT_MESSAGE, e.getMessage());
        } catch (InvalidRecordException e) {
            throw new ApiException(Errors.INVALID_RECORD, e.getMessage());
        }
    }

    private static void check(BatchSummary b, Topic.AppendRules rules, long now) {
        if (b.sizeInBytes() > rules.maxMessageBytes()) {
            throw new ApiException(
                    Errors.MESSAGE_TOO_LARGE,
                    "Batch of " + b.sizeInBytes() + " bytes is larger than max.message.bytes "
                            + rules.maxMessageBytes());
        }
        // every record's timestamp, read during validation; records without one (message sets v0) are exempt
        b.checkTimestamps(now, rules.timestampBeforeMaxMs(), rules.timestampAfterMaxMs());
    }
}
