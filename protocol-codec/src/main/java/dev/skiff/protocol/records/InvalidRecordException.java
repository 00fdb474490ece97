package dev.skiff.protocol.records;

import dev.skiff.protocol.Errors;

/**
 * The bytes are well formed but break a rule of the format: unknown magic or codec, nested compression,
 * inconsistent offsets or counts, a missing key where one is required. The broker answers
 * {@code INVALID_RECORD} (error code 87).
 */
public class InvalidRecordException extends RuntimeException {
    public static final short ERROR_CODE = 87;

    public InvalidRecordException(String message) {
        super(message);
    }

    /** The error the broker answers with. */
    public Errors error() {
        return Errors.INVALID_RECORD;
    }
}
