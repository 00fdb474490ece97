package dev.skiff.broker.security.acl;

import java.util.EnumSet;
import java.util.Set;

/** Kafka's ACL operations with their wire codes (org.apache.kafka.common.acl.AclOperation). */
public enum AclOperation {
    UNKNOWN(0),
    ANY(1),
    ALL(2),
    READ(3),
    WRITE(4),
    CREATE(5),
    DELETE(6),
    ALTER(7),
    DESCRIBE(8),
    CLUSTER_ACTION(9),
    DESCRIBE_CONFIGS(10),
    ALTER_CONFIGS(11),
    IDEMPOTENT_WRITE(12),
    CREATE_TOKENS(13),
    DESCRIBE_TOKENS(14),
    TWO_PHASE_COMMIT(15);

    public final byte code;

    AclOperation(int code) {
        this.code = (byte) code;
    }

    public static AclOperation of(byte code) {
        for (AclOperation o : values()) if (o.code == code) return o;
        return UNKNOWN;
    }

    public boolean concrete() {
        return this != UNKNOWN && this != ANY;
    }

    /**
     * The operations an ALLOW of this one grants: itself, DESCRIBE for READ/WRITE/DELETE/ALTER, DESCRIBE_CONFIGS
     * for ALTER_CONFIGS (Kafka's implications; a DENY denies only what it names, or everything for ALL).
     */
    public boolean allowImplies(AclOperation wanted) {
        if (this == ALL || this == wanted) return true;
        if (wanted == DESCRIBE) return this == READ || this == WRITE || this == DELETE || this == ALTER;
        if (wanted == DESCRIBE_CONFIGS) return this == ALTER_CONFIGS;
        return false;
    }

    public boolean denyImplies(AclOperation wanted) {
        return this == ALL || this == wanted;
    }

    /** The operations that apply to a resource type (the bits of "authorized operations" fields). */
    public static Set<AclOperation> supportedBy(ResourceType type) {
        return switch (type) {
            case TOPIC -> EnumSet.of(READ, WRITE, CREATE, DESCRIBE, DELETE, ALTER, DESCRIBE_CONFIGS, ALTER_CONFIGS);
            case GROUP -> EnumSet.of(READ, DESCRIBE, DELETE, DESCRIBE_CONFIGS, ALTER_CONFIGS);
            case CLUSTER ->
                EnumSet.of(
                        CREATE,
                        CLUSTER_ACTION,
                        DESCRIBE_CONFIGS,
                        ALTER_CONFIGS,
                        IDEMPOTENT_WRITE,
                        ALTER,
                        DESCRIBE,
                        CREATE_TOKENS,
                        DESCRIBE_TOKENS);
            case TRANSACTIONAL_ID -> EnumSet.of(DESCRIBE, WRITE, TWO_PHASE_COMMIT);
            case DELEGATION_TOKEN -> EnumSet.of(DESCRIBE);
            case USER -> EnumSet.of(CREATE_TOKENS, DESCRIBE_TOKENS);
            default -> EnumSet.noneOf(AclOperation.class);
        };
    }
}
