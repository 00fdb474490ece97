package dev.skiff.broker.security.acl;

/** ALLOW or DENY (DENY wins), with Kafka's wire codes; ANY only in filters. */
public enum AclPermissionType {
    UNKNOWN(0),
    ANY(1),
    DENY(2),
    ALLOW(3);

    public final byte code;

    AclPermissionType(int code) {
        this.code = (byte) code;
    }

    public static AclPermissionType of(byte code) {
        for (AclPermissionType t : values()) if (t.code == code) return t;
        return UNKNOWN;
    }

    public boolean concrete() {
        return this == DENY || this == ALLOW;
    }
}
