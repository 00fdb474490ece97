package dev.skiff.broker.group;

/**
 * An offset a group committed for one partition.
 *
 * @param expireTimestamp when it expires whatever the group does (OffsetCommit v2-4 with a retention time, as
 *                        Kafka keeps it); -1 when the broker's offsets.retention.minutes decides
 */
public record CommittedOffset(
        long offset, int leaderEpoch, String metadata, long commitTimestamp, long expireTimestamp) {

    public CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestamp) {
        this(offset, leaderEpoch, metadata, commitTimestamp, -1);
    }
}
