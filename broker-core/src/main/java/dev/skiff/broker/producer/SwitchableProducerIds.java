package dev.skiff.broker.producer;

/**
 * The broker's producer ids, whose source changes once when the broker joins a cluster (before it serves a
 * request): from then on ids come from {@link ClusterProducerIds}.
 */
public final class SwitchableProducerIds implements ProducerIds {

    private volatile ProducerIds source;

    public SwitchableProducerIds(ProducerIds source) {
        this.source = source;
    }

    public void switchTo(ProducerIds next) {
        this.source = next;
    }

    @Override
    public long next() {
        return source.next();
    }
}
