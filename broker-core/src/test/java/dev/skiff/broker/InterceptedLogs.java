package dev.skiff.broker;

import dev.skiff.log.Log;
import dev.skiff.log.LogConfig;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;

/**
 * The logs of another factory, each call on one of them first shown to {@link #before}, which may throw in its
 * place (a full disk, a failed close); everything else goes to that factory unchanged.
 */
public class InterceptedLogs extends ForwardingLogs {

    public InterceptedLogs(LogFactory delegate) {
        super(delegate);
    }

    /** Called before {@code method} runs on the log of {@code tp}; throw to fail the call. */
    protected void before(TopicPartition tp, String method) {}

    private Log intercepted(TopicPartition tp, Log log) {
        return (Log) Proxy.newProxyInstance(Log.class.getClassLoader(), new Class<?>[] {Log.class}, (p, m, args) -> {
            before(tp, m.getName());
            try {
                return m.invoke(log, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        });
    }

    @Override
    public Log open(TopicPartition tp, LogConfig config) {
        return intercepted(tp, super.open(tp, config));
    }

    @Override
    public Log create(TopicPartition tp, LogConfig config) {
        return intercepted(tp, super.create(tp, config));
    }
}
