package dev.skiff.broker.security.acl;

/**
 * Kafka's resource pattern types. ACLs are LITERAL (an exact name, or "*" for every name) or PREFIXED; filters
 * may also say ANY (every pattern type) or MATCH (every ACL that would apply to the named resource).
 */
public enum PatternType {
    UNKNOWN(0),
    ANY(1),
    MATCH(2),
    LITERAL(3),
    PREFIXED(4);

    public final byte code;

    PatternType(int code) {
        this.code = (byte) code;
    }

    public static PatternType of(byte code) {
        for (PatternType t : values()) if (t.code == code) return t;
        return UNKNOWN;
    }

    public boolean concrete() {
        return this == LITERAL || this == PREFIXED;
    }
}
