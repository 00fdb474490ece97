package dev.skiff.broker.cluster;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which brokers' replication a test has cut: a cut broker still serves clients but copies nothing from its
 * leaders, so it falls out of the ISR. Replica fetchers consult {@link #isCut} before each fetch.
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
