package dev.skiff.broker.coordinator;

import dev.skiff.broker.AdvertisedAddress;
import dev.skiff.broker.TopicManager;
import dev.skiff.broker.cluster.BrokerEndpoint;
import dev.skiff.config.BrokerConfig;
import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;

/**
 * A broker alone: it leads every partition of the internal topics, so it coordinates every key. Partitions
 * are counted as the coordinators place keys: the internal topic's own count once it exists, else the
 * configured one.
 */
final class SingleBrokerLocator implements CoordinatorLocator {

    private final BrokerConfig config;
    private final AdvertisedAddress address;
    private final TopicManager topics;

    SingleBrokerLocator(BrokerConfig config, AdvertisedAddress address, TopicManager topics) {
        this.config = config;
        this.address = address;
        this.topics = topics;
    }

    @Override
    public int partitionFor(KeyType type, String key) {
        var t = topics.get(type.topic());
        int n = t != null ? t.partitions().size() : Coordinators.configuredPartitions(config, type);
        return CoordinatorLocator.partitionFor(key, n);
    }

    @Override
    public BrokerEndpoint coordinator(KeyType type, String key) {
        return new BrokerEndpoint(config.nodeId, address.host(), address.port(), null);
    }

    @Override
    public BrokerEndpoint coordinator(KeyType type, String key, String listener) {
        return new BrokerEndpoint(config.nodeId, address.host(listener), address.port(listener), null);
    }

    @Override
    public void ensureCoordinator(KeyType type, String key) {
        if (key == null) throw new ApiException(Errors.INVALID_REQUEST, "no coordinator key");
    }
}
