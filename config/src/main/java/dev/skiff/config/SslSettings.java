package dev.skiff.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Kafka's {@code ssl.*} keys as one listener sees them: {@code listener.name.<name>.ssl.x} wins over
 * {@code ssl.x}. Stores may be JKS, PKCS12 or PEM (a file, or the PEM text itself in {@code ssl.keystore.key},
 * {@code ssl.keystore.certificate.chain} and {@code ssl.truststore.certificates}).
 */
public record SslSettings(
        String keystoreType,
        String keystoreLocation,
        String keystorePassword,
        String keyPassword,
        String keystoreKey,
        String keystoreCertificateChain,
        String truststoreType,
        String truststoreLocation,
        String truststorePassword,
        String truststoreCertificates,
        ClientAuth clientAuth,
        List<String> enabledProtocols,
        List<String> cipherSuites,
        String principalMappingRules) {

    /** {@code ssl.client.auth}. */
    public enum ClientAuth {
        NONE,
        REQUESTED,
        REQUIRED
    }

    /** The settings of {@code listener}, overrides first. */
    public static SslSettings of(BrokerConfig config, String listener) {
        java.util.function.Function<String, String> get = key -> config.listenerValue(listener, key);
        String clientAuth = get.apply("ssl.client.auth");
        ClientAuth auth;
        try {
            auth = clientAuth == null ? ClientAuth.NONE : ClientAuth.valueOf(clientAuth.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("ssl.client.auth must be none, requested or required: " + clientAuth);
        }
        return new SslSettings(
                upper(get.apply("ssl.keystore.type"), "JKS"),
                get.apply("ssl.keystore.location"),
                get.apply("ssl.keystore.password"),
                get.apply("ssl.key.password"),
                get.apply("ssl.keystore.key"),
                get.apply("ssl.keystore.certificate.chain"),
                upper(get.apply("ssl.truststore.type"), "JKS"),
                get.apply("ssl.truststore.location"),
                get.apply("ssl.truststore.password"),
                get.apply("ssl.truststore.certificates"),
                auth,
                list(get.apply("ssl.enabled.protocols"), "TLSv1.2,TLSv1.3"),
                list(get.apply("ssl.cipher.suites"), ""),
                get.apply("ssl.principal.mapping.rules") == null
                        ? "DEFAULT"
                        : get.apply("ssl.principal.mapping.rules"));
    }

    private static String upper(String s, String def) {
        return s == null ? def : s.toUpperCase(Locale.ROOT);
    }

    private static List<String> list(String s, String def) {
        List<String> out = new ArrayList<>();
        for (String item : (s == null ? def : s).split(",")) {
            if (!item.isBlank()) out.add(item.trim());
        }
        return List.copyOf(out);
    }
}
