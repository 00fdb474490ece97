package dev.skiff.broker;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.records.BatchSummary;
import dev.skiff.protocol.records.CorruptRecordException;
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
 * stamped. It looks at batch headers only, never at records one by one (except for keys of compacted topics),
 * so the produce path allocates nothing per record.
 */
public final class LogValidator {

    /** Batches ready to append: possibly a new buffer (up-converted), their summary, the append time used. */
    public record ValidatedRecords(ByteBuffer batches, ValidationResult summary, long logAppendTimeMs) {
        public BatchSummary first() { return summary.batches().get(0); }
    }

    /** The batch header's base timestamp (the first record's), right after lastOffsetDelta. */
    private static final int BASE_TIMESTAMP_OFFSET = 27;

    private LogValidator() {}

    /**
     * Validates {@code batches} for a partition of a topic with {@code rules}. {@code legacyAllowed}: the
     * request version still carries message sets v0/v1 (Produce v0-2). Fails with CORRUPT_MESSAGE,
     * INVALID_RECORD, MESSAGE_TOO_LARGE or INVALID_TIMESTAMP.
     */
    public static ValidatedRecords validate(ByteBuffer batches, boolean legacyAllowed, Topic.AppendRules rules,
                                            AppendOrigin origin, long now) {
        try {
            byte magic = RecordBatches.magic(batches);
            if (magic < 0) throw new ApiException(Errors.CORRUPT_MESSAGE, "Records are too short");
            ValidationResult valid;
            if (magic < RecordBatch.MAGIC) {
                if (!legacyAllowed) throw new ApiException(Errors.INVALID_RECORD, "Produce v3+ needs record batches v2");
                batches = LegacyConverter.upConvert(batches);
                valid = RecordBatches.validate(batches);
            } else {
                valid = RecordBatches.validateProduce(batches);
            }
            // compacted topics keep the latest record per key: a record without a key has no place there
            if (rules.compacted()) RecordBatches.validateDeep(batches, true);
            for (BatchSummary b : valid.batches()) {
                check(batches, b, rules, origin, now);
            }
            long appendTime = -1;
            if (rules.logAppendTime()) {
                appendTime = now;
                for (BatchSummary b : valid.batches()) RecordBatch.wrap(batches, b.position()).setLogAppendTime(now);
            }
            return new ValidatedRecords(batches, valid, appendTime);
        } catch (CorruptRecordException e) {
            throw new ApiException(Errors.CORRUPT_MESSAGE, e.getMessage());
        } catch (InvalidRecordException e) {
            throw new ApiException(Errors.INVALID_RECORD, e.getMessage());
        }
    }

    private static void check(ByteBuffer batches, BatchSummary b, Topic.AppendRules rules, AppendOrigin origin, long now) {
        if (b.sizeInBytes() > rules.maxMessageBytes()) {
            throw new ApiException(Errors.MESSAGE_TOO_LARGE, "Batch of " + b.sizeInBytes()
                    + " bytes is larger than max.message.bytes " + rules.maxMessageBytes());
        }
        if (origin == AppendOrigin.CLIENT && b.control()) {
            // a client's marker would end transactions behind the coordinator's back
            throw new ApiException(Errors.INVALID_RECORD, "Clients are not allowed to write control records");
        }
        if (!rules.logAppendTime()) {
            long first = batches.getLong(b.position() + BASE_TIMESTAMP_OFFSET);
            checkTimestamp(first, rules, now);
            checkTimestamp(b.maxTimestamp(), rules, now);
        }
    }

    /** A record without a timestamp (-1, from message sets v0) is exempt, as in Kafka. */
    private static void checkTimestamp(long timestamp, Topic.AppendRules rules, long now) {
        if (timestamp == RecordBatch.NO_TIMESTAMP) return;
        if (timestamp < now - rules.timestampBeforeMaxMs()) {
            throw new ApiException(Errors.INVALID_TIMESTAMP, "Timestamp " + timestamp + " of a record is before "
                    + "the allowed range: more than message.timestamp.before.max.ms " + rules.timestampBeforeMaxMs()
                    + " before the broker's time " + now);
        }
        if (timestamp > now && timestamp - now > rules.timestampAfterMaxMs()) { // no overflow at Long.MAX_VALUE
            throw new ApiException(Errors.INVALID_TIMESTAMP, "Timestamp " + timestamp + " of a record is after "
                    + "the allowed range: more than message.timestamp.after.max.ms " + rules.timestampAfterMaxMs()
                    + " after the broker's time " + now);
        }
    }
}
