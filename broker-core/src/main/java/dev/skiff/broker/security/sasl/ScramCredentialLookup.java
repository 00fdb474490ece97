package dev.skiff.broker.security.sasl;

/** Where a SCRAM exchange finds a user's credential: the runtime store, then the users of the config. */
@FunctionalInterface
public interface ScramCredentialLookup {

    /** The credential of {@code user} for {@code mechanism}, or null when there is none. */
    ScramCredential get(String user, ScramMechanism mechanism);
}
