package dev.skiff.it.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.skiff.broker.Partition;
import dev.skiff.it.Poll;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.EmbeddedSkiff;
import dev.skiff.server.InsideBroker;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Delayed;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/**
 * Thousands of long-poll fetches (max_wait_ms of an hour, at the log end) whose clients hang up: the broker
 * drops every one of them with its connection, timers included, and an append to the partition they waited
 * on wakes nobody.
 */
class AbandonedFetchTest {

    private static final int CONNECTIONS = 20;
    private static final int FETCHES_PER_CONNECTION = 200; // below the in-flight limit, so all are read
    private static final int HOUR_MS = 3_600_000;

    @Test
    void longPollsOfClosedConnectionsAreDropped() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().start()) {
            Survival survival = Survival.before(broker);
            broker.createTopic("waited-on", 1);
            Partition partition =
                    InsideBroker.of(broker).topics().get("waited-on").partition(0);
            ScheduledThreadPoolExecutor timer =
                    (ScheduledThreadPoolExecutor) InsideBroker.of(broker).scheduler();
            int timersBefore = longTimers(timer);

            List<Socket> clients = new ArrayList<>();
            int correlationId = 0;
            for (int c = 0; c < CONNECTIONS; c++) {
                ByteArrayOutputStream requests = new ByteArrayOutputStream();
                for (int i = 0; i < FETCHES_PER_CONNECTION; i++) {
                    requests.write(RequestFrames.frame(
                            ApiKeys.FETCH,
                            (short) 12,
                            ++correlationId,
                            RequestFrames.fetch("waited-on", 0, 0, HOUR_MS, 1 << 20)));
                }
                Socket s = new Socket(InetAddress.getLoopbackAddress(), broker.port());
                s.getOutputStream().write(requests.toByteArray());
                s.getOutputStream().flush();
                clients.add(s);
            }
            int all = CONNECTIONS * FETCHES_PER_CONNECTION;
            Poll.until("every fetch waiting", partition::waiterCount, n -> n == all);
            assertEquals(timersBefore + all, longTimers(timer), "one timeout queued per waiting fetch");

            for (Socket s : clients) close(s);

            Poll.until("no fetch waiting once their connections closed", partition::waiterCount, n -> n == 0);
            Poll.until("their timeouts gone from the timer", () -> longTimers(timer), n -> n <= timersBefore);

            Map<String, Object> props = Map.of("bootstrap.servers", broker.bootstrapServers(), "acks", "all");
            try (KafkaProducer<String, String> producer =
                    new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
                RecordMetadata written = producer.send(new ProducerRecord<>("waited-on", 0, "k", "after"))
                        .get(30, TimeUnit.SECONDS);
                assertEquals(0, written.offset());
            }
            assertEquals(0, partition.waiterCount());

            survival.assertServedAndRestartsIntact();
        }
    }

    /**
     * The timer's tasks due in more than half an hour: the fetches' hour-long timeouts. The broker's own tasks
     * (a one-shot at start, periodic checks that leave the queue while they run) come and go at shorter delays.
     */
    private static int longTimers(ScheduledThreadPoolExecutor timer) {
        int n = 0;
        for (Runnable r : timer.getQueue().toArray(new Runnable[0]))
            if (r instanceof Delayed d && d.getDelay(TimeUnit.MINUTES) > 30) n++;
        return n;
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already gone is as good
        }
    }
}
