package dev.skiff.server.faults;

import dev.skiff.protocol.Errors;
import java.util.Objects;

/**
 * An interceptor's verdict on one request: let the broker answer, answer with an error instead, or drop the
 * connection; any of them after a delay. {@code topic} narrows a Metadata error to that topic (null: all).
 */
public record Decision(Kind kind, Errors error, long delayMillis, String topic) {

    public enum Kind { PROCEED, RESPOND_WITH_ERROR, DROP_CONNECTION }

    public Decision {
        Objects.requireNonNull(kind, "kind");
        if (kind == Kind.RESPOND_WITH_ERROR) Objects.requireNonNull(error, "error");
        if (delayMillis < 0) throw new IllegalArgumentException("delay must not be negative: " + delayMillis);
    }

    /** The broker answers as usual, {@code delayMillis} later than it would have. */
    public static Decision proceedAfter(long delayMillis) { return new Decision(Kind.PROCEED, null, delayMillis, null); }

    /** The request is answered with {@code error} (the broker never sees it). */
    public static Decision respondWith(Errors error, long delayMillis) {
        return new Decision(Kind.RESPOND_WITH_ERROR, error, delayMillis, null);
    }

    /** As {@link #respondWith(Errors, long)}; a Metadata answer carries the error on {@code topic} only. */
    public static Decision respondWith(Errors error, long delayMillis, String topic) {
        return new Decision(Kind.RESPOND_WITH_ERROR, error, delayMillis, topic);
    }

    /** The connection is closed, without an answer to this request or any after it. */
    public static Decision dropConnection(long delayMillis) { return new Decision(Kind.DROP_CONNECTION, null, delayMillis, null); }
}
