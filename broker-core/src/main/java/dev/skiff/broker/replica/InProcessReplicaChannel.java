package dev.skiff.broker.replica;

import dev.skiff.broker.Broker;
import dev.skiff.broker.RequestContext;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.FetchRequestData;
import dev.skiff.protocol.message.FetchResponseData;
import dev.skiff.protocol.message.OffsetForLeaderEpochRequestData;
import dev.skiff.protocol.message.OffsetForLeaderEpochResponseData;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A {@link ReplicaChannel} that hands the request to the leader {@link Broker}'s handler in this process, as
 * if it came from the follower's registered host: no sockets, for fast unit tests. A leader that is not
 * running (the lookup answers null) fails the exchange, as a refused connection would.
 */
public final class InProcessReplicaChannel implements ReplicaChannel {
    private static final AtomicInteger CONNECTIONS = new AtomicInteger();

    private final IntFunction<Broker> brokers;
    private final int leaderId;
    private final String clientAddress;
    private final long connectionId = CONNECTIONS.incrementAndGet();
    private final AtomicInteger correlation = new AtomicInteger();
    private volatile boolean closed;

    private InProcessReplicaChannel(IntFunction<Broker> brokers, int leaderId, String clientAddress) {
        this.brokers = brokers;
        this.leaderId = leaderId;
        this.clientAddress = clientAddress;
    }

    /**
     * Channels to the brokers {@code brokers} finds by id; requests claim to come from {@code localHost}
     * (the follower's registered host), looked up per local broker id.
     */
    public static ReplicaChannel.Factory factory(IntFunction<Broker> brokers, IntFunction<String> localHost) {
        return (local, leader) -> new InProcessReplicaChannel(brokers, leader.id(), localHost.apply(local) + ":0");
    }

    @Override
    public CompletableFuture<FetchResponseData> fetch(FetchRequestData request, short version) {
        return send(ApiKeys.FETCH, version, request).thenApply(FetchResponseData.class::cast);
    }

    @Override
    public CompletableFuture<OffsetForLeaderEpochResponseData> offsetForLeaderEpoch(
            OffsetForLeaderEpochRequestData request, short version) {
        return send(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, request)
                .thenApply(OffsetForLeaderEpochResponseData.class::cast);
    }

    private CompletableFuture<ApiMessage> send(ApiKeys api, short version, ApiMessage request) {
        Broker leader = closed ? null : brokers.apply(leaderId);
        if (leader == null)
            return CompletableFuture.failedFuture(
                    new ApiException(Errors.NETWORK_EXCEPTION, "broker " + leaderId + " is not reachable"));
        RequestContext ctx = new RequestContext(
                api, version, correlation.incrementAndGet(), "skiff-replica-fetcher", clientAddress, connectionId);
        try {
            return leader.handle(ctx, request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    @Override
    public void close() {
        closed = true;
    }

    /** The id of the leader this channel reaches. */
    public int leaderId() {
        return leaderId;
    }

    @Override
    public String toString() {
        return "InProcessReplicaChannel[to " + leaderId + "]";
    }
}
