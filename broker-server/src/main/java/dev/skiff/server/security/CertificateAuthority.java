package dev.skiff.server.security;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A throw-away certificate authority made at start with the JDK alone (no BouncyCastle): an EC P-256 CA
 * certificate, and leaf certificates it signs for the broker (with the host names and addresses clients
 * verify) and for clients (subject {@code CN=<name>}, which becomes their principal). For tests and demos,
 * never for production: the keys live only as long as the process that made them.
 */
public final class CertificateAuthority {

    private static final String SIGNATURE = "SHA256withECDSA";
    private static final String ECDSA_SHA256 = "1.2.840.10045.4.3.2";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A private key and its certificate chain, leaf first. */
    public record Issued(PrivateKey key, List<X509Certificate> chain) {

        /** A PKCS12 key store holding this key and chain under alias {@code alias}. */
        public KeyStore keyStore(String alias, char[] password) {
            try {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry(alias, key, password, chain.toArray(new X509Certificate[0]));
                return ks;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("cannot build a key store", e);
            }
        }

        /** The key as unencrypted PKCS#8 PEM. */
        public String keyPem() {
            return pem("PRIVATE KEY", key.getEncoded());
        }

        /** The chain as PEM certificates, leaf first. */
        public String chainPem() {
            StringBuilder sb = new StringBuilder();
            for (X509Certificate c : chain) sb.append(CertificateAuthority.pem(c));
            return sb.toString();
        }
    }

    private final KeyPair caKeys;
    private final X509Certificate caCertificate;

    private CertificateAuthority(KeyPair caKeys, X509Certificate caCertificate) {
        this.caKeys = caKeys;
        this.caCertificate = caCertificate;
    }

    /** A new CA, {@code CN=<name>}, valid from yesterday for ten years. */
    public static CertificateAuthority create(String name) {
        KeyPair keys = keyPair();
        byte[] subject = dn("CN=" + name);
        byte[] extensions = Der.sequence(
                extension("2.5.29.19", true, Der.sequence(Der.bool(true))), // basicConstraints CA
                extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0x06}, 1))); // keyCertSign, cRLSign
        return new CertificateAuthority(keys, sign(keys.getPrivate(), subject, subject, keys, extensions));
    }

    public X509Certificate certificate() {
        return caCertificate;
    }

    /** The CA certificate as PEM, for a client's trust store. */
    public String certificatePem() {
        return pem(caCertificate);
    }

    /** A server certificate for {@code CN=<name>} valid for these DNS names and IP addresses. */
    public Issued issueServer(String name, List<String> dnsNames, List<String> ipAddresses) {
        List<byte[]> names = new ArrayList<>();
        for (String dns : dnsNames) names.add(Der.implicit(2, dns.getBytes(StandardCharsets.US_ASCII)));
        for (String ip : ipAddresses) {
            try {
                names.add(Der.implicit(7, InetAddress.getByName(ip).getAddress()));
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException("not an IP address: " + ip, e);
            }
        }
        byte[] san = Der.sequence(names.toArray(new byte[0][]));
        return issue("CN=" + name, extension("2.5.29.17", false, san));
    }

    /** A client certificate whose subject is {@code CN=<name>} (Kafka's default principal: User:CN=name). */
    public Issued issueClient(String name) {
        return issue("CN=" + name);
    }

    private Issued issue(String subject, byte[]... extraExtensions) {
        KeyPair keys = keyPair();
        List<byte[]> exts = new ArrayList<>();
        exts.add(extension("2.5.29.19", true, Der.sequence())); // not a CA
        exts.add(extension("2.5.29.15", true, Der.bits(new byte[] {(byte) 0x88}, 3))); // digitalSignature, keyAgreement
        exts.add(extension(
                "2.5.29.37",
                false,
                Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2")))); // server + client auth
        for (byte[] e : extraExtensions) exts.add(e);
        X509Certificate cert = sign(
                caKeys.getPrivate(),
                dn(caCertificate.getSubjectX500Principal().getName()),
                dn(subject),
                keys,
                Der.sequence(exts.toArray(new byte[0][])));
        return new Issued(keys.getPrivate(), List.of(cert, caCertificate));
    }

    /** A trust store (PKCS12) holding only this CA's certificate. */
    public KeyStore trustStore() {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setCertificateEntry("skiff-ca", caCertificate);
            return ks;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot build a trust store", e);
        }
    }

    /** Writes a key store to a file. */
    public static void write(KeyStore ks, char[] password, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            ks.store(out, password);
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException("cannot write " + file.getFileName(), e);
        }
    }

    public static String pem(X509Certificate c) {
        try {
            return pem("CERTIFICATE", c.getEncoded());
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"), RANDOM);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot make EC keys", e);
        }
    }

    private static byte[] extension(String oid, boolean critical, byte[] value) {
        return critical
                ? Der.sequence(Der.oid(oid), Der.bool(true), Der.octets(value))
                : Der.sequence(Der.oid(oid), Der.octets(value));
    }

    /** A distinguished name of CN, O, OU, ... attributes in RFC 2253 form ({@code CN=a,O=b}), most specific first. */
    private static byte[] dn(String rfc2253) {
        List<byte[]> rdns = new ArrayList<>();
        String[] parts = rfc2253.split(",");
        // RFC 2253 lists the most specific first; DER wants the most general first
        for (int i = parts.length - 1; i >= 0; i--) {
            String p = parts[i].trim();
            int eq = p.indexOf('=');
            String type = p.substring(0, eq).trim().toUpperCase(java.util.Locale.ROOT);
            String oid = switch (type) {
                case "CN" -> "2.5.4.3";
                case "O" -> "2.5.4.10";
                case "OU" -> "2.5.4.11";
                case "C" -> "2.5.4.6";
                case "L" -> "2.5.4.7";
                case "ST" -> "2.5.4.8";
                default -> throw new IllegalArgumentException("unsupported name attribute " + type);
            };
            rdns.add(Der.set(
                    Der.sequence(Der.oid(oid), Der.utf8(p.substring(eq + 1).trim()))));
        }
        return Der.sequence(rdns.toArray(new byte[0][]));
    }

    private static X509Certificate sign(
            PrivateKey signer, byte[] issuer, byte[] subject, KeyPair subjectKeys, byte[] extensions) {
        try {
            ZonedDateTime now = ZonedDateTime.now();
            byte[] algorithm = Der.sequence(Der.oid(ECDSA_SHA256));
            byte[] tbs = Der.sequence(
                    Der.explicit(0, Der.integer(2)), // v3
                    Der.integer(new BigInteger(63, RANDOM).add(BigInteger.ONE)),
                    algorithm,
                    issuer,
                    Der.sequence(Der.time(now.minusDays(1)), Der.time(now.plusYears(10))),
                    subject,
                    subjectKeys.getPublic().getEncoded(), // SubjectPublicKeyInfo as the JDK encodes it
                    Der.explicit(3, extensions));
            Signature s = Signature.getInstance(SIGNATURE);
            s.initSign(signer);
            s.update(tbs);
            byte[] cert = Der.sequence(tbs, algorithm, Der.bits(s.sign()));
            return (X509Certificate)
                    CertificateFactory.getInstance("X.509").generateCertificate(new java.io.ByteArrayInputStream(cert));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign a certificate", e);
        }
    }
}
