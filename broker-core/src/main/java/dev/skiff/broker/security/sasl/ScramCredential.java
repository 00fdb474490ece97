package dev.skiff.broker.security.sasl;

import java.util.Arrays;

/**
 * What the broker keeps of a SCRAM password (RFC 5802 section 2.2): salt, iteration count, StoredKey and
 * ServerKey. The password itself, and the salted password, are never kept.
 */
public record ScramCredential(byte[] salt, byte[] storedKey, byte[] serverKey, int iterations) {

    public ScramCredential {
        salt = salt.clone();
        storedKey = storedKey.clone();
        serverKey = serverKey.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] storedKey() {
        return storedKey.clone();
    }

    @Override
    public byte[] serverKey() {
        return serverKey.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ScramCredential c
                && iterations == c.iterations
                && Arrays.equals(salt, c.salt)
                && Arrays.equals(storedKey, c.storedKey)
                && Arrays.equals(serverKey, c.serverKey);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(storedKey) * 31 + iterations;
    }

    @Override
    public String toString() {
        return "ScramCredential(salt=[hidden], storedKey=[hidden], serverKey=[hidden], iterations=[hidden])";
    }
}
