package dev.skiff.broker.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Replication links that tests cut: a cut broker's replica fetchers stop, so it falls out of the ISR after
 * replica.lag.time.max.ms while clients still reach it; restoring lets it catch up and rejoin.
 */
public final class ReplicationLinks {
    private final Set<Integer> cut = ConcurrentHashMap.newKeySet();

    public void cut(int brokerId) {
        cut.add(brokerId);
    }

    public void restore(int brokerId) {
        cut.remove(brokerId);
    }

    public boolean isCut(int brokerId) {
        return cut.contains(brokerId);
    }
}
