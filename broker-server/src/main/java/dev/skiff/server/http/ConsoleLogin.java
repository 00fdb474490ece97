package dev.skiff.server.http;

import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Logs a console user in as the broker's own SASL listener would: it plays the client's side of PLAIN or SCRAM
 * against the listener's mechanisms, so exactly the users and passwords Kafka clients use are accepted.
 */
final class ConsoleLogin {

    private final SaslMechanisms mechanisms;

    ConsoleLogin(SaslMechanisms mechanisms) {
        this.mechanisms = mechanisms;
    }

    /** The principal's name when the password is right, else null. */
    String authenticate(String user, String password) {
        if (user == null || password == null || user.isEmpty() || user.length() > 256 || password.length() > 1024)
            return null;
        List<String> enabled = mechanisms.enabled();
        try {
            for (String m : List.of("SCRAM-SHA-512", "SCRAM-SHA-256", "PLAIN")) {
                if (!enabled.contains(m)) continue;
                String who = m.equals("PLAIN") ? plain(user, password) : scram(m, user, password);
                if (who != null) return who;
            }
        } catch (RuntimeException e) {
            return null;
        }
        return null;
    }

    private String plain(String user, String password) {
        SaslExchange x = mechanisms.start("PLAIN");
        try {
            x.evaluate(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        } catch (Exception e) {
            return null;
        }
        return x.complete() ? x.principal().toString() : null;
    }

    private String scram(String mechanism, String user, String password) {
        boolean sha512 = mechanism.endsWith("512");
        String hmac = sha512 ? "HmacSHA512" : "HmacSHA256";
        String digest = sha512 ? "SHA-512" : "SHA-256";
        SaslExchange x = mechanisms.start(mechanism);
        try {
            byte[] nonceBytes = new byte[18];
            new SecureRandom().nextBytes(nonceBytes);
            String clientNonce = Base64.getEncoder().encodeToString(nonceBytes);
            String bare = "n=" + user.replace("=", "=3D").replace(",", "=2C") + ",r=" + clientNonce;
            String serverFirst =
                    new String(x.evaluate(("n,," + bare).getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
            String nonce = null;
            byte[] salt = null;
            int iterations = 0;
            for (String part : serverFirst.split(",")) {
                if (part.startsWith("r=")) nonce = part.substring(2);
                else if (part.startsWith("s=")) salt = Base64.getDecoder().decode(part.substring(2));
                else if (part.startsWith("i=")) iterations = Integer.parseInt(part.substring(2));
            }
            if (nonce == null
                    || salt == null
                    || iterations <= 0
                    || iterations > 100_000
                    || !nonce.startsWith(clientNonce)) return null;
            String withoutProof = "c=biws,r=" + nonce;
            String authMessage = bare + "," + serverFirst + "," + withoutProof;
            SecretKeyFactory f = SecretKeyFactory.getInstance("PBKDF2With" + hmac);
            byte[] salted = f.generateSecret(
                            new PBEKeySpec(password.toCharArray(), salt, iterations, sha512 ? 512 : 256))
                    .getEncoded();
            byte[] clientKey = mac(hmac, salted, "Client Key".getBytes(StandardCharsets.UTF_8));
            byte[] storedKey = MessageDigest.getInstance(digest).digest(clientKey);
            byte[] signature = mac(hmac, storedKey, authMessage.getBytes(StandardCharsets.UTF_8));
            byte[] proof = new byte[clientKey.length];
            for (int i = 0; i < proof.length; i++) proof[i] = (byte) (clientKey[i] ^ signature[i]);
            x.evaluate((withoutProof + ",p=" + Base64.getEncoder().encodeToString(proof))
                    .getBytes(StandardCharsets.UTF_8));
            return x.complete() ? x.principal().toString() : null;
        } catch (Exception e) {
            return null;
        }
    }

    private static byte[] mac(String algorithm, byte[] key, byte[] data) throws Exception {
        Mac m = Mac.getInstance(algorithm);
        m.init(new SecretKeySpec(key, algorithm));
        return m.doFinal(data);
    }
}
