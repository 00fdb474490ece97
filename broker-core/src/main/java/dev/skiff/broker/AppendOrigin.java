package dev.skiff.broker;

/**
 * Who writes to a partition, as Kafka's AppendOrigin: a client's Produce request is held to the record rules
 * (no control batches, no internal topics, timestamps in range); the broker's own coordinators are not.
 */
public enum AppendOrigin {
    CLIENT,
    COORDINATOR
}
