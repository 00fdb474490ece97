package dev.skiff.broker.admin;

import dev.skiff.protocol.Errors;

/** An error code and the message sent with it, as the admin APIs answer per topic or per resource. */
public record ApiError(Errors error, String message) {

    public static final ApiError NONE = new ApiError(Errors.NONE, null);

    public static ApiError of(Errors error, String message) {
        return new ApiError(error, message);
    }

    public boolean isError() {
        return error != Errors.NONE;
    }

    public short code() {
        return error.code();
    }
}
