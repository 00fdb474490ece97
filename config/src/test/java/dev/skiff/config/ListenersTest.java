package dev.skiff.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Kafka's listener keys: several listeners, protocols, advertised addresses and per-listener overrides. */
class ListenersTest {

    @Test
    void withoutListenersThereIsOnePlaintextListenerOnHostAndPort() {
        BrokerConfig c = BrokerConfig.of(Map.of("host.name", "10.0.0.1", "port", "9999"));
        assertEquals(
                List.of(new Listeners.Endpoint("PLAINTEXT", SecurityProtocol.PLAINTEXT, "10.0.0.1", 9999)),
                c.listeners.all());
    }

    @Test
    void parsesSeveralListenersWithTheirProtocols() {
        BrokerConfig c = BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://:9092,INTERNAL://127.0.0.1:9093,SASL_SSL://[::1]:9094",
                "listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,INTERNAL:SSL,SASL_SSL:SASL_SSL",
                "advertised.listeners", "INTERNAL://broker.internal:19093",
                "inter.broker.listener.name", "internal"));
        assertEquals(3, c.listeners.all().size());
        assertEquals("0.0.0.0", c.host);
        assertEquals(9092, c.port);
        assertEquals(
                new Listeners.Endpoint("INTERNAL", SecurityProtocol.SSL, "127.0.0.1", 9093),
                c.listeners.get("internal"));
        assertEquals(
                new Listeners.Endpoint("SASL_SSL", SecurityProtocol.SASL_SSL, "::1", 9094),
                c.listeners.all().get(2));
        assertEquals(new Listeners.Advertised("broker.internal", 19093), c.listeners.advertised("INTERNAL"));
        assertEquals("INTERNAL", c.listeners.interBrokerListener());
    }

    @Test
    void aListenerWithoutAProtocolIsAnError() {
        assertThrows(ConfigException.class, () -> BrokerConfig.of(Map.of("listeners", "CUSTOM://:9092")));
        assertThrows(
                ConfigException.class,
                () -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://:1,PLAINTEXT://:2")),
                "a name given twice");
    }

    @Test
    void listenerOverridesWinOverCommonKeys() {
        BrokerConfig c = BrokerConfig.of(Map.of(
                "ssl.client.auth", "none",
                "listener.name.internal.ssl.client.auth", "required",
                "sasl.enabled.mechanisms", "PLAIN",
                "listener.name.sasl_ssl.sasl.enabled.mechanisms", "scram-sha-512,PLAIN",
                "connections.max.reauth.ms", "60000"));
        assertEquals(
                SslSettings.ClientAuth.REQUIRED, SslSettings.of(c, "INTERNAL").clientAuth());
        assertEquals(SslSettings.ClientAuth.NONE, SslSettings.of(c, "SSL").clientAuth());
        assertEquals(List.of("SCRAM-SHA-512", "PLAIN"), c.saslEnabledMechanisms("SASL_SSL"));
        assertEquals(List.of("PLAIN"), c.saslEnabledMechanisms("OTHER"));
        assertEquals(60000, c.connectionsMaxReauthMs);
        assertEquals(List.of("TLSv1.2", "TLSv1.3"), SslSettings.of(c, "SSL").enabledProtocols());
    }
}
