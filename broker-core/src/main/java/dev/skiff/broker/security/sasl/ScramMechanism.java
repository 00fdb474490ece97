package dev.skiff.broker.security.sasl;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The SCRAM mechanisms Kafka offers (RFC 5802 with the hashes of RFC 7677 and RFC 5802's SHA-512 variant),
 * with the arithmetic of the exchange: Hi, HMAC, H and the keys derived from a salted password. The type codes
 * are those of AlterUserScramCredentials / DescribeUserScramCredentials (Kafka's {@code ScramMechanism}).
 */
public enum ScramMechanism {
    SCRAM_SHA_256("SCRAM-SHA-256", "SHA-256", "HmacSHA256", (byte) 1),
    SCRAM_SHA_512("SCRAM-SHA-512", "SHA-512", "HmacSHA512", (byte) 2);

    /** Kafka's minimum for both mechanisms: fewer iterations are refused at login and at creation. */
    public static final int MIN_ITERATIONS = 4096;
    /** Kafka's maximum for credentials created through AlterUserScramCredentials. */
    public static final int MAX_ITERATIONS = 16384;

    private final String mechanismName;
    private final String hashAlgorithm;
    private final String macAlgorithm;
    private final byte type;

    ScramMechanism(String mechanismName, String hashAlgorithm, String macAlgorithm, byte type) {
        this.mechanismName = mechanismName;
        this.hashAlgorithm = hashAlgorithm;
        this.macAlgorithm = macAlgorithm;
        this.type = type;
    }

    /** Kafka's spelling, as in SaslHandshake and sasl.enabled.mechanisms. */
    public String mechanismName() {
        return mechanismName;
    }

    /** The wire code of AlterUserScramCredentials and DescribeUserScramCredentials (0 is UNKNOWN). */
    public byte type() {
        return type;
    }

    /** The mechanism for a SASL name, or null. */
    public static ScramMechanism forName(String name) {
        for (ScramMechanism m : values()) if (m.mechanismName.equals(name)) return m;
        return null;
    }

    /** The mechanism for a wire code, or null (0 and unknown codes). */
    public static ScramMechanism forType(byte type) {
        for (ScramMechanism m : values()) if (m.type == type) return m;
        return null;
    }

    /** Hi(password, salt, i) of RFC 5802: PBKDF2 with this mechanism's HMAC, one block. */
    public byte[] saltedPassword(String password, byte[] salt, int iterations) {
        Mac mac = mac(password.getBytes(StandardCharsets.UTF_8));
        mac.update(salt);
        byte[] u = mac.doFinal(new byte[] {0, 0, 0, 1});
        byte[] result = u.clone();
        for (int i = 1; i < iterations; i++) {
            u = mac.doFinal(u);
            for (int j = 0; j < result.length; j++) result[j] ^= u[j];
        }
        return result;
    }

    public byte[] hmac(byte[] key, byte[] data) {
        return mac(key).doFinal(data);
    }

    public byte[] hash(byte[] data) {
        try {
            return MessageDigest.getInstance(hashAlgorithm).digest(data);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(hashAlgorithm + " is missing from this JDK", e);
        }
    }

    /** The length of this mechanism's hash: of proofs, signatures and stored keys. */
    public int hashLength() {
        return this == SCRAM_SHA_256 ? 32 : 64;
    }

    /** What the broker keeps of a salted password: StoredKey = H(HMAC(salted, "Client Key")) and ServerKey. */
    public ScramCredential credential(byte[] salt, byte[] saltedPassword, int iterations) {
        byte[] clientKey = hmac(saltedPassword, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] serverKey = hmac(saltedPassword, "Server Key".getBytes(StandardCharsets.US_ASCII));
        return new ScramCredential(salt.clone(), hash(clientKey), serverKey, iterations);
    }

    /** The credential of a password, with the given salt. */
    public ScramCredential credential(String password, byte[] salt, int iterations) {
        return credential(salt, saltedPassword(password, salt, iterations), iterations);
    }

    private Mac mac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(macAlgorithm);
            // HMAC accepts any key length, including empty; SecretKeySpec does not take an empty array
            mac.init(key.length == 0 ? new EmptyKey(macAlgorithm) : new SecretKeySpec(key, macAlgorithm));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(macAlgorithm + " is missing from this JDK", e);
        }
    }

    /** An HMAC key of zero bytes (an empty password is a valid, if poor, SCRAM password). */
    private record EmptyKey(String getAlgorithm) implements javax.crypto.SecretKey {
        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return new byte[0];
        }
    }
}
