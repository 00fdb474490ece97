package dev.skiff.broker.admin;

import dev.skiff.protocol.Errors;

/** Stops the handling of one topic or resource with the error its result carries. */
public final class AdminException extends RuntimeException {

    private final ApiError error;

    public AdminException(Errors error, String message) {
        super(message, null, false, false);
        this.error = ApiError.of(error, message);
    }

    public ApiError error() {
        return error;
    }
}
