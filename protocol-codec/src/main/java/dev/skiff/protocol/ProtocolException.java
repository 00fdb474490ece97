package dev.skiff.protocol;

/** Bytes that do not follow the Kafka protocol, or a message that cannot be written in the asked version. */
public class ProtocolException extends RuntimeException {

    public ProtocolException(String message) {
        super(message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(message, cause);
    }
}
