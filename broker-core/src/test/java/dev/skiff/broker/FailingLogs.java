package dev.skiff.broker;

import dev.skiff.log.LogStorageException;

/** Logs whose appends fail (as a full or broken disk makes them) while {@link #failing} is set. */
public final class FailingLogs extends InterceptedLogs {

    public volatile boolean failing;

    public FailingLogs(LogFactory delegate) {
        super(delegate);
    }

    @Override
    protected void before(TopicPartition tp, String method) {
        if (failing && method.equals("append")) throw new LogStorageException("injected: disk full");
    }
}
