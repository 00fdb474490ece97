package dev.skiff.server.control;

import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import java.time.Duration;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A control's verdict on one request: keep it (the broker answers), drop the connection, answer with a
 * response of the control's own, or answer with an error in the API's own error response; any of them
 * {@link #after(Duration) after a delay}.
 *
 * <pre>{@code
 * broker.control(ApiKeys.PRODUCE, (ctx, request) -> Reply.error(Errors.NOT_LEADER_OR_FOLLOWER));
 * broker.control(ApiKeys.FETCH, (ctx, request) -> Reply.delay(Duration.ofMillis(300)));
 * }</pre>
 */
public final class Reply {

    public enum Kind {
        KEEP,
        DROP,
        ANSWER,
        ERROR
    }

    private final Kind kind;
    private final ApiMessage response;
    private final Errors error;
    private final String message;
    private final UnaryOperator<ApiMessage> edit;
    private final long delayMillis;

    private Reply(
            Kind kind,
            ApiMessage response,
            Errors error,
            String message,
            UnaryOperator<ApiMessage> edit,
            long delayMillis) {
        this.kind = kind;
        this.response = response;
        this.error = error;
        this.message = message;
        this.edit = edit;
        this.delayMillis = delayMillis;
    }

    /** The broker handles the request as usual; no later control sees it. */
    public static Reply keep() {
        return new Reply(Kind.KEEP, null, null, null, null, 0);
    }

    /** The broker handles the request, and its answer is sent {@code delay} after the request arrived. */
    public static Reply delay(Duration delay) {
        return keep().after(delay);
    }

    /** The connection is closed, without an answer to this request or to any sent after it. */
    public static Reply drop() {
        return new Reply(Kind.DROP, null, null, null, null, 0);
    }

    /**
     * This response is sent instead of the broker's (which never sees the request); null sends nothing, as
     * for a produce with acks=0. It must be the response class of the request's API.
     */
    public static Reply answer(ApiMessage response) {
        return new Reply(Kind.ANSWER, response, null, null, null, 0);
    }

    /** The API's own error response carries {@code error} (on each topic and partition where it has them). */
    public static Reply error(Errors error) {
        return error(error, null);
    }

    /** As {@link #error(Errors)}, with this error message where the response has one. */
    public static Reply error(Errors error, String message) {
        return new Reply(Kind.ERROR, null, Objects.requireNonNull(error, "error"), message, null, 0);
    }

    /** The same outcome, {@code delay} after the request arrived (and no sooner than the broker answers). */
    public Reply after(Duration delay) {
        if (delay.isNegative()) throw new IllegalArgumentException("delay must not be negative: " + delay);
        return new Reply(kind, response, error, message, edit, delay.toMillis());
    }

    /** For {@link #keep()}: the broker's answer passes through {@code edit} before it is sent. */
    public Reply thenEdit(UnaryOperator<ApiMessage> edit) {
        if (kind != Kind.KEEP) throw new IllegalStateException("only a kept request has the broker's answer to edit");
        return new Reply(kind, null, null, null, Objects.requireNonNull(edit, "edit"), delayMillis);
    }

    public Kind kind() {
        return kind;
    }

    public ApiMessage response() {
        return response;
    }

    public Errors error() {
        return error;
    }

    /** The error message, or null for the error's usual one. */
    public String message() {
        return message;
    }

    /** The edit of the broker's answer, or null. */
    public UnaryOperator<ApiMessage> edit() {
        return edit;
    }

    public long delayMillis() {
        return delayMillis;
    }

    @Override
    public String toString() {
        return kind + (error != null ? " " + error : "") + (delayMillis > 0 ? " after " + delayMillis + " ms" : "");
    }
}
