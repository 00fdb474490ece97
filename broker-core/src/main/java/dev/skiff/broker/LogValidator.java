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
import dev.skiff.protocol.records.RecordVisitor;
import dev.skiff.protocol.records.TimestampType;
import dev.skiff.protocol.records.ValidationResult;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules records must pass before a leader appends them, as Kafka's LogValidator: well-formed batches v2
 * (legacy message sets up-converted), the topic's max.message.bytes, keys on compacted topics, no control
 * batches from clients, CreateTime timestamps within message.timestamp.before/after.max.ms, and LogAppendTime
 * stamped. Every record is read, streaming and without keeping it, so the produce path allocates nothing per
 * record and compressed records inflate only as far as the request's {@link DecompressionBudget} allows.
 *
 * <p>The rules that concern single records (a key on a compacted topic, a CreateTime timestamp within the window,
 * no LogAppendTime set by the producer) are checked for every record of the batch and collected, as Kafka does
 * (KIP-467): the batch then fails with a {@link RecordValidationException} naming each bad record's index, with
 * Kafka's messages, INVALID_TIMESTAMP if a timestamp is among the causes, else INVALID_RECORD. Batch-level
 * breaks (corrupt data, sizes, counts) fail at once without record errors.
 */
public final class LogValidator {

    /** Batches ready to append: possibly a new buffer (up-converted), their summary, the append time used. */
    public record ValidatedRecords(ByteBuffer batches, ValidationResult summary, long logAppendTimeMs) {
        public BatchSummary first() {
            return summary.batches().get(0);
        }
    }

    /**
     * Record errors kept for one batch. Kafka keeps them all; a compressed batch may hold millions of records
     * without keys, so Skiff keeps the first ones (the answer stays small) and counts the rest: a client fails
     * the records past the list with its generic "part of a batch which had invalid records" error instead.
     */
    public static final int MAX_RECORD_ERRORS = 10_000;

    private LogValidator() {}

    /** As below, for a partition whose name the error messages do not need. */
    public static ValidatedRecords validate(
            ByteBuffer batches,
            boolean legacyAllowed,
            Topic.AppendRules rules,
            AppendOrigin origin,
            long now,
            DecompressionBudget budget) {
        return validate(batches, legacyAllowed, rules, origin, now, budget, "unknown-0");
    }

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
            DecompressionBudget budget,
            String topicPartition) {
        RecordRules perRecord = new RecordRules(rules, now, topicPartition);
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
                valid = RecordBatches.validateDeep(batches, perRecord, budget);
            } else if (origin == AppendOrigin.CLIENT) {
                // refuses control batches too: a client's marker would end transactions behind the coordinator
                valid = RecordBatches.validateProduce(batches, perRecord, budget);
            } else {
                valid = RecordBatches.validateDeep(batches, perRecord, budget); // markers are control batches
            }
            for (BatchSummary b : valid.batches()) {
                check(b, rules);
            }
            perRecord.throwIfAny();
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

    private static void check(BatchSummary b, Topic.AppendRules rules) {
        if (b.sizeInBytes() > rules.maxMessageBytes()) {
            throw new ApiException(
                    Errors.MESSAGE_TOO_LARGE,
                    "Batch of " + b.sizeInBytes() + " bytes is larger than max.message.bytes "
                            + rules.maxMessageBytes());
        }
    }

    /** Kafka's LogValidator.validateRecord for records v2: the key rule first, then the timestamp rule. */
    private static final class RecordRules implements RecordVisitor {
        private final Topic.AppendRules rules;
        private final long now;
        private final String topicPartition;
        private final List<RecordValidationException.RecordError> errors = new ArrayList<>();
        private String noKeyMessage; // one string for every record without key
        private int total;
        private boolean timestampError;

        RecordRules(Topic.AppendRules rules, long now, String topicPartition) {
            this.rules = rules;
            this.now = now;
            this.topicPartition = topicPartition;
        }

        @Override
        public void record(BatchSummary batch, int index, long offset, long timestamp, int keyLength, int valueLength) {
            if (batch.control()) return; // markers carry keys; the broker writes them
            if (rules.compacted() && keyLength < 0) {
                if (noKeyMessage == null)
                    noKeyMessage =
                            "Compacted topic cannot accept message without key in topic partition " + topicPartition;
                add(index, noKeyMessage, false);
                return;
            }
            // a LogAppendTime batch's records carry its max timestamp, as Kafka reads them
            long ts = batch.timestampType() == TimestampType.LOG_APPEND_TIME ? batch.maxTimestamp() : timestamp;
            if (!rules.logAppendTime() && ts != RecordBatch.NO_TIMESTAMP) {
                long diff = now - ts; // Kafka's arithmetic, overflow and all
                if (diff > rules.timestampBeforeMaxMs() || -1 * diff > rules.timestampAfterMaxMs()) {
                    add(
                            index,
                            "Timestamp " + ts + " of message with offset " + offset
                                    + " is out of range. The timestamp should be within ["
                                    + (now - rules.timestampBeforeMaxMs()) + ", " + (now + rules.timestampAfterMaxMs())
                                    + "]",
                            true);
                }
            } else if (batch.timestampType() == TimestampType.LOG_APPEND_TIME) {
                add(
                        index,
                        "Invalid timestamp type in message DefaultRecord(offset=" + offset + ", timestamp=" + ts
                                + ", key=" + Math.max(0, keyLength) + " bytes, value=" + Math.max(0, valueLength)
                                + " bytes). Producer should not set timestamp type to LogAppendTime.",
                        true);
            }
        }

        private void add(int index, String message, boolean timestamp) {
            total++;
            timestampError |= timestamp;
            if (errors.size() < MAX_RECORD_ERRORS)
                errors.add(new RecordValidationException.RecordError(index, message));
        }

        /** Kafka's processRecordErrors: one exception for the batch, its message as Kafka words it. */
        void throwIfAny() {
            if (total == 0) return;
            if (timestampError)
                throw new RecordValidationException(
                        Errors.INVALID_TIMESTAMP,
                        "One or more records have been rejected due to invalid timestamp",
                        errors,
                        total);
            throw new RecordValidationException(
                    Errors.INVALID_RECORD,
                    "One or more records have been rejected due to " + total + " record errors in total, and only "
                            + "showing the first three errors at most: "
                            + errors.subList(0, Math.min(errors.size(), 3)),
                    errors,
                    total);
        }
    }
}
