package dev.skiff.config;

/** Kafka's security protocols: what a listener wraps its connections in. */
public enum SecurityProtocol {
    PLAINTEXT(false, false),
    SSL(true, false),
    SASL_PLAINTEXT(false, true),
    SASL_SSL(true, true);

    private final boolean tls;
    private final boolean sasl;

    SecurityProtocol(boolean tls, boolean sasl) {
        this.tls = tls;
        this.sasl = sasl;
    }

    /** Connections are TLS. */
    public boolean tls() {
        return tls;
    }

    /** Clients authenticate with SASL before anything but ApiVersions is served. */
    public boolean sasl() {
        return sasl;
    }

    public static SecurityProtocol parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("unknown security protocol " + s + " (PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL)");
        }
    }
}
