package dev.skiff.broker;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import java.util.List;

/**
 * A batch refused because of some of its records (KIP-467), as Kafka's RecordValidationException: the
 * partition's error (INVALID_RECORD, or INVALID_TIMESTAMP when a timestamp is among the causes) and message,
 * and one {@link RecordError} per bad record, which Produce v8+ answers as {@code record_errors} so that the
 * client fails exactly those records. At most {@link LogValidator#MAX_RECORD_ERRORS} are kept; {@link #total()}
 * counts them all.
 */
public final class RecordValidationException extends ApiException {

    /** One bad record: its index in the batch and why, printed as Kafka's ProduceResponse.RecordError. */
    public record RecordError(int batchIndex, String message) {
        @Override
        public String toString() {
            return "RecordError(batchIndex=" + batchIndex + ", message="
                    + (message == null ? "null" : "'" + message + "'") + ")";
        }
    }

    private final transient List<RecordError> recordErrors;
    private final int total;

    public RecordValidationException(Errors error, String message, List<RecordError> recordErrors, int total) {
        super(error, message);
        this.recordErrors = List.copyOf(recordErrors);
        this.total = total;
    }

    /** The bad records kept, in batch order. */
    public List<RecordError> recordErrors() {
        return recordErrors;
    }

    /** How many records broke a rule, kept or not. */
    public int total() {
        return total;
    }
}
