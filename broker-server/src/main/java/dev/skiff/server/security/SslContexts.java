package dev.skiff.server.security;

import dev.skiff.config.ConfigException;
import dev.skiff.config.SslSettings;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.TrustManagerFactory;

/**
 * The server side TLS context of a listener, from Kafka's {@code ssl.*} keys, on the JDK's own engine
 * (Netty's {@link SslProvider#JDK}; no tcnative). Key and trust stores are JKS, PKCS12 or PEM.
 */
public final class SslContexts {

    private static final Pattern PEM =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([^-]+)-----END \\1-----", Pattern.DOTALL);

    private SslContexts() {}

    /** The server context {@code listener}'s settings describe; a ConfigException names what is wrong. */
    public static SslContext server(String listener, SslSettings s) {
        try {
            KeyStore keyStore = keyStore(s);
            if (keyStore == null)
                throw new ConfigException("listener " + listener + " is TLS but has no ssl.keystore.location "
                        + "or ssl.keystore.key/ssl.keystore.certificate.chain");
            char[] keyPassword = password(s.keyPassword() != null ? s.keyPassword() : s.keystorePassword());
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keyStore, keyPassword);
            SslContextBuilder b = SslContextBuilder.forServer(kmf).sslProvider(SslProvider.JDK);
            KeyStore trustStore = trustStore(s);
            if (trustStore != null) {
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trustStore);
                b.trustManager(tmf);
            }
            b.clientAuth(
                    switch (s.clientAuth()) {
                        case NONE -> ClientAuth.NONE;
                        case REQUESTED -> ClientAuth.OPTIONAL;
                        case REQUIRED -> ClientAuth.REQUIRE;
                    });
            if (!s.enabledProtocols().isEmpty()) b.protocols(s.enabledProtocols());
            if (!s.cipherSuites().isEmpty()) b.ciphers(s.cipherSuites());
            return b.build();
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("listener " + listener + ": cannot set up TLS: " + e.getMessage());
        }
    }

    private static KeyStore keyStore(SslSettings s) throws GeneralSecurityException, IOException {
        if ("PEM".equals(s.keystoreType())) {
            String keyPem = s.keystoreKey();
            String chainPem = s.keystoreCertificateChain();
            if (keyPem == null && s.keystoreLocation() != null) {
                String both = Files.readString(Path.of(s.keystoreLocation()), StandardCharsets.US_ASCII);
                keyPem = both;
                chainPem = both;
            }
            if (keyPem == null) return null;
            PrivateKey key = privateKey(keyPem, s.keyPassword());
            List<Certificate> chain = certificates(chainPem == null ? "" : chainPem);
            if (chain.isEmpty()) throw new ConfigException("the PEM key store has no certificate chain");
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = password(s.keyPassword() != null ? s.keyPassword() : s.keystorePassword());
            ks.setKeyEntry("key", key, pw, chain.toArray(new Certificate[0]));
            return ks;
        }
        if (s.keystoreLocation() == null) return null;
        return load(s.keystoreType(), s.keystoreLocation(), s.keystorePassword());
    }

    private static KeyStore trustStore(SslSettings s) throws GeneralSecurityException, IOException {
        if ("PEM".equals(s.truststoreType())) {
            String pem = s.truststoreCertificates();
            if (pem == null && s.truststoreLocation() != null)
                pem = Files.readString(Path.of(s.truststoreLocation()), StandardCharsets.US_ASCII);
            if (pem == null) return null;
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            int i = 0;
            for (Certificate c : certificates(pem)) ks.setCertificateEntry("ca-" + i++, c);
            return ks;
        }
        if (s.truststoreLocation() == null) return null;
        return load(s.truststoreType(), s.truststoreLocation(), s.truststorePassword());
    }

    private static KeyStore load(String type, String location, String password)
            throws GeneralSecurityException, IOException {
        KeyStore ks = KeyStore.getInstance(type);
        try (InputStream in = Files.newInputStream(Path.of(location))) {
            ks.load(in, password == null ? null : password.toCharArray());
        }
        return ks;
    }

    private static char[] password(String p) {
        return p == null ? new char[0] : p.toCharArray();
    }

    static List<Certificate> certificates(String pem) throws GeneralSecurityException {
        List<Certificate> out = new ArrayList<>();
        CertificateFactory cf = CertificateFactory.getInstance("X.509");
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            if (!m.group(1).equals("CERTIFICATE")) continue;
            out.add(cf.generateCertificate(new ByteArrayInputStream(decode(m.group(2)))));
        }
        return out;
    }

    /** A PKCS#8 key, plain ({@code PRIVATE KEY}) or encrypted with {@code ssl.key.password}. */
    static PrivateKey privateKey(String pem, String password) throws GeneralSecurityException, IOException {
        Matcher m = PEM.matcher(pem);
        while (m.find()) {
            String type = m.group(1);
            byte[] der = decode(m.group(2));
            PKCS8EncodedKeySpec spec;
            if (type.equals("PRIVATE KEY")) {
                spec = new PKCS8EncodedKeySpec(der);
            } else if (type.equals("ENCRYPTED PRIVATE KEY")) {
                if (password == null) throw new ConfigException("an encrypted PEM key needs ssl.key.password");
                EncryptedPrivateKeyInfo info = new EncryptedPrivateKeyInfo(der);
                SecretKeyFactory f = SecretKeyFactory.getInstance(info.getAlgName());
                javax.crypto.Cipher cipher = javax.crypto.Cipher.getInstance(info.getAlgName());
                cipher.init(
                        javax.crypto.Cipher.DECRYPT_MODE,
                        f.generateSecret(new PBEKeySpec(password.toCharArray())),
                        info.getAlgParameters());
                spec = info.getKeySpec(cipher);
            } else {
                continue;
            }
            for (String alg : List.of("RSA", "EC", "DSA", "Ed25519")) {
                try {
                    return KeyFactory.getInstance(alg).generatePrivate(spec);
                } catch (GeneralSecurityException wrongAlgorithm) {
                    // try the next
                }
            }
            throw new ConfigException("the PEM private key is of an unknown algorithm");
        }
        throw new ConfigException("no PKCS#8 private key (BEGIN PRIVATE KEY) in the PEM key store");
    }

    private static byte[] decode(String base64) {
        return Base64.getMimeDecoder().decode(base64.trim());
    }
}
