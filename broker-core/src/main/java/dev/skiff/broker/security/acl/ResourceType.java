package dev.skiff.broker.security.acl;

/** Kafka's resource types with their wire codes (org.apache.kafka.common.resource.ResourceType). */
public enum ResourceType {
    UNKNOWN(0),
    ANY(1),
    TOPIC(2),
    GROUP(3),
    CLUSTER(4),
    TRANSACTIONAL_ID(5),
    DELEGATION_TOKEN(6),
    USER(7);

    /** The one cluster resource's name, as in Kafka. */
    public static final String CLUSTER_NAME = "kafka-cluster";

    public final byte code;

    ResourceType(int code) {
        this.code = (byte) code;
    }

    public static ResourceType of(byte code) {
        for (ResourceType t : values()) if (t.code == code) return t;
        return UNKNOWN;
    }

    /** Concrete: a type an ACL may name (not UNKNOWN or ANY). */
    public boolean concrete() {
        return this != UNKNOWN && this != ANY;
    }
}
