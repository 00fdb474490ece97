package dev.skiff.log;

/** A storage failure (I/O error, disk full). The broker answers it with KAFKA_STORAGE_ERROR. */
public class LogStorageException extends RuntimeException {
    public LogStorageException(String message, Throwable cause) {
        super(message, cause);
    }

    public LogStorageException(String message) {
        super(message);
    }
}
