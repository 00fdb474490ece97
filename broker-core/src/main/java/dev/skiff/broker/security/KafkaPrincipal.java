package dev.skiff.broker.security;

/**
 * Who a connection authenticated as, in Kafka's form {@code type:name} ("User:alice"). Connections that did
 * not authenticate (PLAINTEXT, SSL without a client certificate) are {@link #ANONYMOUS}, as in Kafka.
 */
public record KafkaPrincipal(String type, String name) {

    public static final String USER_TYPE = "User";
    public static final KafkaPrincipal ANONYMOUS = new KafkaPrincipal(USER_TYPE, "ANONYMOUS");

    public static KafkaPrincipal user(String name) {
        return new KafkaPrincipal(USER_TYPE, name);
    }

    /** Parses "User:alice" (the form of ACLs and super.users). */
    public static KafkaPrincipal parse(String s) {
        int colon = s.indexOf(':');
        if (colon <= 0) throw new IllegalArgumentException("Principal must be type:name, got " + s);
        return new KafkaPrincipal(s.substring(0, colon), s.substring(colon + 1));
    }

    @Override
    public String toString() {
        return type + ":" + name;
    }
}
