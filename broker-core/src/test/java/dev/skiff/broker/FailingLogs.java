package dev.skiff.broker;

import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import dev.skiff.log.LogStorageException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.Properties;

/** Logs whose appends fail (as a full or broken disk makes them) while {@link #failing} is set. */
public final class FailingLogs implements LogFactory {

    public volatile boolean failing;
    private final LogFactory delegate;

    public FailingLogs(LogFactory delegate) {
        this.delegate = delegate;
    }

    @Override
    public Log open(TopicPartition tp, LogConfig config) {
        Log log = delegate.open(tp, config);
        return (Log) Proxy.newProxyInstance(Log.class.getClassLoader(), new Class<?>[] {Log.class}, (p, m, args) -> {
            if (failing && m.getName().equals("append")) throw new LogStorageException("injected: disk full");
            try {
                return m.invoke(log, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
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
}
