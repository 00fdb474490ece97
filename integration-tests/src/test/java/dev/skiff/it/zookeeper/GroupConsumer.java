package dev.skiff.it.zookeeper;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One Kafka 0.8.1.1 high-level consumer connector ({@code Consumer.createJavaConsumerConnector}, as the
 * tutorial's GroupConsumerTest), driven by reflection because its classes live in {@link OldClientLoader}.
 * A thread per stream drains it into {@link #received()}.
 */
final class GroupConsumer implements AutoCloseable {

    /** A message as a stream handed it out. */
    record Received(String consumer, int partition, long offset, String value) {}

    private final String name;
    private final Object connector;
    private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
    private final List<Thread> drains = new ArrayList<>();
    private final List<Throwable> failures = new CopyOnWriteArrayList<>();
    private volatile boolean shutDown;

    private GroupConsumer(String name, Object connector) {
        this.name = name;
        this.connector = connector;
    }

    /**
     * Connects with consumer id {@code name} (registered as {@code <group>_<name>}) and the settings a test
     * wants fast: short rebalance back-off, frequent auto-commit, iterators that time out so drains can stop.
     */
    static GroupConsumer connect(String zookeeper, String group, String name, Map<String, String> overrides) {
        Properties props = new Properties();
        props.put("zookeeper.connect", zookeeper);
        props.put("group.id", group);
        props.put("consumer.id", name);
        props.put("zookeeper.session.timeout.ms", "6000");
        props.put("zookeeper.sync.time.ms", "200");
        props.put("auto.commit.interval.ms", "200");
        props.put("auto.offset.reset", "smallest");
        props.put("rebalance.backoff.ms", "500");
        props.put("rebalance.max.retries", "30");
        props.put("fetch.wait.max.ms", "100");
        props.put("refresh.leader.backoff.ms", "200");
        props.put("consumer.timeout.ms", "200");
        props.putAll(overrides);
        ClassLoader cl = OldClientLoader.get();
        return withLoader(cl, () -> {
            Class<?> configClass = cl.loadClass("kafka.consumer.ConsumerConfig");
            Object config = configClass.getConstructor(Properties.class).newInstance(props);
            Object connector = cl.loadClass("kafka.consumer.Consumer")
                    .getMethod("createJavaConsumerConnector", configClass)
                    .invoke(null, config);
            return new GroupConsumer(name, connector);
        });
    }

    /** Subscribes to {@code topic} with {@code streams} streams and starts draining them. */
    void consume(String topic, int streams) {
        Map<?, ?> byTopic = withLoader(OldClientLoader.get(), () -> (Map<?, ?>) connector
                .getClass()
                .getMethod("createMessageStreams", Map.class)
                .invoke(connector, Map.of(topic, streams)));
        List<?> list = (List<?>) byTopic.get(topic);
        for (int i = 0; i < list.size(); i++) {
            Iterator<?> it = ((Iterable<?>) list.get(i)).iterator(); // KafkaStream is a java.lang.Iterable
            Thread t = new Thread(() -> drain(it), name + "-stream-" + i);
            t.setDaemon(true);
            t.setContextClassLoader(OldClientLoader.get());
            drains.add(t);
            t.start();
        }
    }

    private void drain(Iterator<?> it) {
        while (!shutDown) {
            try {
                if (!it.hasNext()) return; // the connector shut down
                Object m = it.next();
                byte[] value = (byte[]) call(m, "message");
                received.add(new Received(
                        name,
                        (Integer) call(m, "partition"),
                        (Long) call(m, "offset"),
                        new String(value, StandardCharsets.UTF_8)));
            } catch (RuntimeException e) {
                if (e.getClass().getName().equals("kafka.consumer.ConsumerTimeoutException")) continue;
                if (!shutDown) failures.add(e);
                return;
            }
        }
    }

    private static Object call(Object target, String method) {
        try {
            Method m = target.getClass().getMethod(method);
            return m.invoke(target);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    /** Errors the streams raised (other than their idle timeouts). */
    List<Throwable> failures() {
        return List.copyOf(failures);
    }

    /** Writes the offsets consumed so far to ZooKeeper, as the connector's commitOffsets() does. */
    void commitOffsets() {
        withLoader(
                OldClientLoader.get(),
                () -> connector.getClass().getMethod("commitOffsets").invoke(connector));
    }

    /** Leaves the group (committing first when auto-commit is on) and waits for the drains to end. */
    @Override
    public void close() {
        if (shutDown) return;
        shutDown = true; // set first, so errors of the streams while they stop are not counted
        withLoader(
                OldClientLoader.get(),
                () -> connector.getClass().getMethod("shutdown").invoke(connector));
        for (Thread t : drains) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private interface Reflective<T> {
        T call() throws ReflectiveOperationException;
    }

    /** Runs with the old client's loader as context loader: threads the client starts inherit it. */
    private static <T> T withLoader(ClassLoader cl, Reflective<T> action) {
        Thread current = Thread.currentThread();
        ClassLoader before = current.getContextClassLoader();
        current.setContextClassLoader(cl);
        try {
            return action.call();
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof RuntimeException re ? re : new IllegalStateException(e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        } finally {
            current.setContextClassLoader(before);
        }
    }
}
