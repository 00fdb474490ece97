package dev.skiff.protocol.records;

import dev.skiff.protocol.Errors;

/**
 * The bytes do not form a valid record batch or message set: bad size, CRC, varint or codec stream.
 * The broker answers {@code CORRUPT_MESSAGE} (error code 2).
 */
public class CorruptRecordException extends RuntimeException {
    public static final short ERROR_CODE = 2;

    public CorruptRecordException(String message) {
        super(message);
    }

    public CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The error the broker answers with. */
    public Errors error() {
        return Errors.CORRUPT_MESSAGE;
    }
}
