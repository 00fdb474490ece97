package dev.skiff.broker.replica;

import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import java.util.concurrent.CompletableFuture;

/**
 * How a follower's fetcher talks to the leader it copies: Kafka's replica Fetch and OffsetForLeaderEpoch,
 * as generated messages of the given version. In process ({@link InProcessReplicaChannel}, for unit tests)
 * or over Kafka's wire (broker-server's SocketReplicaChannel, what a real cluster uses). A failed exchange
 * (connection lost, time-out) completes exceptionally; the fetcher then backs off and reconnects.
 */
public interface ReplicaChannel extends AutoCloseable {

    /** The version of Fetch the fetcher sends (v12: replica_id, current_leader_epoch, topic names). */
    short FETCH_VERSION = 12;
    /** The version of OffsetForLeaderEpoch the fetcher sends (v4: replica_id, current_leader_epoch). */
    short OFFSET_FOR_LEADER_EPOCH_VERSION = 4;

    CompletableFuture<FetchResponseData> fetch(FetchRequestData request, short version);

    CompletableFuture<OffsetForLeaderEpochResponseData> offsetForLeaderEpoch(
            OffsetForLeaderEpochRequestData request, short version);

    @Override
    void close();

    /** Opens channels from broker {@code localBrokerId} to a leader. */
    interface Factory {
        ReplicaChannel connect(int localBrokerId, BrokerEndpoint leader);
    }
}
