package dev.skiff.broker.security.sasl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.broker.security.SaslAuthenticationException;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The SASL keys: Kafka's JAAS form, Skiff's simple users, enabled mechanisms per listener, iterations. */
class BrokerSaslMechanismsTest {

    private static final String PLAIN_MODULE = "org.apache.kafka.common.security.plain.PlainLoginModule required";

    private static BrokerSaslMechanisms of(String listener, Map<String, String> keys) {
        return BrokerSaslMechanisms.forListener(BrokerConfig.of(keys), listener, ScramCredentialStore.inMemory(10));
    }

    private static boolean plainAccepts(BrokerSaslMechanisms m, String user, String password) {
        try {
            m.start("PLAIN").evaluate(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (SaslAuthenticationException e) {
            return false;
        }
    }

    @Test
    void defaultsOfferEverySkiffMechanism() {
        BrokerSaslMechanisms m = of("SASL_PLAINTEXT", Map.of());
        assertEquals(List.of("PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"), m.enabled());
        assertFalse(plainAccepts(m, "alice", "x"));
    }

    @Test
    void listenerPrefixedJaasConfigGivesPlainUsers() {
        BrokerSaslMechanisms m = of(
                "SASL_SSL",
                Map.of(
                        "listener.name.sasl_ssl.plain.sasl.jaas.config",
                        PLAIN_MODULE + " username=\"admin\" password=\"admin-secret\" user_admin=\"admin-secret\""
                                + " user_alice=\"al\\\"ice\";",
                        "sasl.jaas.config",
                        PLAIN_MODULE + " user_other=\"x\";"));
        assertTrue(plainAccepts(m, "admin", "admin-secret"));
        assertTrue(plainAccepts(m, "alice", "al\"ice"));
        assertFalse(plainAccepts(m, "other", "x"));
        // another listener falls back to the bare key
        BrokerSaslMechanisms plaintext = of(
                "SASL_PLAINTEXT",
                Map.of(
                        "listener.name.sasl_ssl.plain.sasl.jaas.config", PLAIN_MODULE + " user_admin=a;",
                        "sasl.jaas.config", PLAIN_MODULE + " user_other=x;"));
        assertTrue(plainAccepts(plaintext, "other", "x"));
        assertFalse(plainAccepts(plaintext, "admin", "a"));
    }

    @Test
    void skiffUsersServePlainAndScram() throws Exception {
        BrokerSaslMechanisms m = of("SASL_PLAINTEXT", Map.of("skiff.sasl.users", "alice:secret, bob:p:w"));
        assertTrue(plainAccepts(m, "alice", "secret"));
        assertTrue(plainAccepts(m, "bob", "p:w"));
        for (ScramMechanism mech : ScramMechanism.values()) {
            ScramExchange server = (ScramExchange) m.start(mech.mechanismName());
            ScramExchangeTest.run(server, ScramExchangeTest.kafkaClient(mech, "alice", "secret"));
            assertTrue(server.complete());
        }
    }

    @Test
    void runtimeScramUsersAreFoundBeforeConfigUsers() throws Exception {
        ScramCredentialStore store = ScramCredentialStore.inMemory(10);
        ScramMechanism mech = ScramMechanism.SCRAM_SHA_256;
        store.apply(List.of(new ScramCredentialStore.Change(
                "alice", mech, mech.credential("new-secret", new byte[] {1, 2, 3}, 8192))));
        BrokerSaslMechanisms m = BrokerSaslMechanisms.forListener(
                BrokerConfig.of(Map.of("skiff.sasl.users", "alice:old")), "SASL_PLAINTEXT", store);
        ScramExchangeTest.run(
                (ScramExchange) m.start(mech.mechanismName()),
                ScramExchangeTest.kafkaClient(mech, "alice", "new-secret"));
        assertThrows(
                SaslAuthenticationException.class,
                () -> ScramExchangeTest.run(
                        (ScramExchange) m.start(mech.mechanismName()),
                        ScramExchangeTest.kafkaClient(mech, "alice", "old")));
    }

    @Test
    void enabledMechanismsPerListener() {
        Map<String, String> keys = Map.of(
                "sasl.enabled.mechanisms", "SCRAM-SHA-512",
                "listener.name.sasl_ssl.sasl.enabled.mechanisms", "plain, scram-sha-256");
        assertEquals(List.of("SCRAM-SHA-512"), of("SASL_PLAINTEXT", keys).enabled());
        assertEquals(List.of("PLAIN", "SCRAM-SHA-256"), of("SASL_SSL", keys).enabled());
        assertThrows(
                IllegalArgumentException.class, () -> of("SASL_PLAINTEXT", keys).start("PLAIN"));
    }

    @Test
    void badKeysStopTheStartWithAMessage() {
        assertTrue(assertThrows(
                        ConfigException.class, () -> of("SASL_SSL", Map.of("sasl.enabled.mechanisms", "GSSAPI,PLAIN")))
                .getMessage()
                .contains("GSSAPI"));
        assertThrows(ConfigException.class, () -> of("X", Map.of("skiff.sasl.scram.iterations", "4095")));
        assertThrows(ConfigException.class, () -> of("X", Map.of("skiff.sasl.scram.iterations", "many")));
        assertThrows(ConfigException.class, () -> of("X", Map.of("skiff.sasl.users", ":nameless")));
        assertThrows(ConfigException.class, () -> of("X", Map.of("skiff.sasl.users", "nopassword")));
        ConfigException jaas = assertThrows(
                ConfigException.class,
                () -> of("X", Map.of("sasl.jaas.config", PLAIN_MODULE + " user_alice=\"hunter2")));
        assertFalse(jaas.getMessage().contains("hunter2"), jaas.getMessage());
        assertThrows(ConfigException.class, () -> of("X", Map.of("sasl.jaas.config", "Module sometimes a=b;")));
        assertThrows(ConfigException.class, () -> of("X", Map.of("sasl.jaas.config", PLAIN_MODULE + " a=b")));
        assertThrows(
                ConfigException.class,
                () -> of("X", Map.of("sasl.jaas.config", PLAIN_MODULE + " a=b; " + PLAIN_MODULE + " c=d;")));
        assertThrows(
                ConfigException.class,
                () -> BrokerSaslMechanisms.maxScramUsers(BrokerConfig.of(Map.of("skiff.sasl.scram.users.max", "-1"))));
    }

    @Test
    void iterationsOfConfigUsersAreConfigurable() throws Exception {
        BrokerSaslMechanisms m = of("X", Map.of("skiff.sasl.users", "alice:pw", "skiff.sasl.scram.iterations", "5000"));
        String serverFirst = new String(
                m.start("SCRAM-SHA-256").evaluate("n,,n=alice,r=abc".getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII);
        assertTrue(serverFirst.endsWith(",i=5000"), serverFirst);
    }
}
