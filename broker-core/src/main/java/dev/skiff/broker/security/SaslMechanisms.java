package dev.skiff.broker.security;

import java.util.List;

/** The SASL mechanisms a listener offers (SaslHandshake answers them) and how an exchange of each starts. */
public interface SaslMechanisms {

    /** Mechanism names in Kafka's spelling: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512. */
    List<String> enabled();

    /** A new exchange for {@code mechanism}, which is one of {@link #enabled()}. */
    SaslExchange start(String mechanism);
}
