package dev.skiff.broker;

import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import java.util.Map;
import java.util.Properties;

/** Another factory's logs and topic descriptions, unchanged: tests override the calls they fail or alter. */
public class ForwardingLogs implements LogFactory {

    protected final LogFactory delegate;

    public ForwardingLogs(LogFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public Log open(TopicPartition tp, LogConfig config) {
        return delegate.open(tp, config);
    }

    @Override
    public Log create(TopicPartition tp, LogConfig config) {
        return delegate.create(tp, config);
    }

    @Override
    public void syncCreated() {
        delegate.syncCreated();
    }

    @Override
    public Map<String, Properties> loadTopics() {
        return delegate.loadTopics();
    }

    @Override
    public void saveTopic(String name, Properties description) {
        delegate.saveTopic(name, description);
    }

    @Override
    public void deleteTopic(String name) {
        delegate.deleteTopic(name);
    }

    @Override
    public boolean persistent() {
        return delegate.persistent();
    }

    @Override
    public void closed() {
        delegate.closed();
    }
}
