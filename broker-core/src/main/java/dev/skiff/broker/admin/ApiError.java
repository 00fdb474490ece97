package dev.skiff.broker.admin;

import dev.skiff.protocol.Errors;

/** An error code and the message sent with it, as the admin APIs answer per topic or per resource. */
public record ApiError(Errors error, String message) {

    public static final ApiError NONE = new ApiError(Errors.NONE, null);

    /**
     * The longest message sent, in chars: a message quoting a client's value (twice, for some config errors) must
     * stay within the 32,767 bytes a string field may hold, or the answer could not be read.
     */
    public static final int MAX_MESSAGE_CHARS = 8_192;

    public static ApiError of(Errors error, String message) {
        if (message != null && message.length() > MAX_MESSAGE_CHARS)
            message = message.substring(0, MAX_MESSAGE_CHARS) + "...";
        return new ApiError(error, message);
    }

    public boolean isError() {
        return error != Errors.NONE;
    }

    public short code() {
        return error.code();
    }
}
