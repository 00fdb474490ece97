package dev.skiff.broker;

/**
 * Where a partition's leader is, as this broker last heard from the controller: what a client told
 * NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH is given so that it can go there without asking for metadata
 * first (KIP-951). {@code host} is null when the leader is not alive, so no address can be given.
 */
public record LeaderHint(int leaderId, int leaderEpoch, String host, int port, String rack) {

    public boolean hasEndpoint() {
        return host != null;
    }
}
