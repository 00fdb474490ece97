package dev.skiff.it.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ProtocolWriter;
import dev.skiff.protocol.message.MetadataRequestData;
import dev.skiff.protocol.message.RequestHeaderData;
import dev.skiff.server.SkiffCluster;
import dev.skiff.server.control.Reply;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** killBroker is abrupt: a request in flight gets no answer, the connection is reset, the broker is fenced. */
class ClusterKillTest {

    @Test
    void aKilledBrokerLeavesRequestsInFlightUnanswered() throws Exception {
        try (SkiffCluster cluster = SkiffCluster.builder().brokers(2).inMemory().start()) {
            CountDownLatch held = new CountDownLatch(1);
            cluster.controls(1).add(ApiKeys.METADATA, (ctx, request) -> {
                held.countDown();
                return Reply.delay(Duration.ofSeconds(30));
            });
            try (Socket s = new Socket(cluster.host(1), cluster.port(1))) {
                s.setSoTimeout(20_000);
                ProtocolWriter w = new ProtocolWriter();
                new RequestHeaderData()
                        .setRequestApiKey(ApiKeys.METADATA.id())
                        .setRequestApiVersion((short) 4)
                        .setCorrelationId(1)
                        .setClientId("kill")
                        .write(w, (short) 1);
                new MetadataRequestData().write(w, (short) 4);
                byte[] payload = w.toByteArray();
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                out.writeInt(payload.length);
                out.write(payload);
                out.flush();
                assertTrue(held.await(20, TimeUnit.SECONDS), "the request reached the broker");
                cluster.killBroker(1);
                DataInputStream in = new DataInputStream(s.getInputStream());
                assertThrows(IOException.class, in::readInt, "no answer: the connection ends");
            }
            assertEquals(java.util.Set.of(0), cluster.image().liveBrokers());
            cluster.restartBroker(1);
            assertEquals(java.util.Set.of(0, 1), cluster.image().liveBrokers());
        }
    }
}
