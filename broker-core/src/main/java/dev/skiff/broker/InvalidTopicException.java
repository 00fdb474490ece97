package dev.skiff.broker;

/** A topic name Kafka would reject (INVALID_TOPIC_EXCEPTION). */
public class InvalidTopicException extends RuntimeException {
    public InvalidTopicException(String message) {
        super(message);
    }
}
