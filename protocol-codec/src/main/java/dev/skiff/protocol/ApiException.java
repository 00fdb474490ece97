package dev.skiff.protocol;

/**
 * A request, or one topic or partition of it, that fails with a Kafka error code. Services throw it; the
 * handler (for one partition) or the dispatcher (for the whole request) turns it into the error the answer
 * carries, so no code path needs to know how a given API's response spells an error.
 */
public class ApiException extends RuntimeException {

    private final Errors error;

    public ApiException(Errors error, String message) {
        // no stack: these are answers, not bugs, and some come once per partition of a request
        super(message, null, false, false);
        this.error = error;
    }

    public ApiException(Errors error, String message, Throwable cause) {
        super(message, cause, false, false);
        this.error = error;
    }

    public Errors error() {
        return error;
    }
}
