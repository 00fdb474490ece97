package dev.skiff.broker;

import dev.skiff.protocol.Errors;

/**
 * Whether this broker may serve clients' Produce, Fetch and ListOffsets for a partition: a single broker leads
 * everything; in a cluster only the partition's leader does (others answer NOT_LEADER_OR_FOLLOWER so clients
 * refresh their metadata). The replication branch's replica manager replaces the stand-in implementation.
 */
@FunctionalInterface
public interface LeaderCheck {

    LeaderCheck SINGLE_BROKER = (topic, partition) -> Errors.NONE;

    /** NONE when this broker serves the partition, else the error to answer for it. */
    Errors check(String topic, int partition);

    /** Where the partition's leader is, for a client sent elsewhere; null when unknown (a single broker). */
    default LeaderHint hint(String topic, int partition) {
        return null;
    }
}
