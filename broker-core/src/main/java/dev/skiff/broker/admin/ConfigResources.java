package dev.skiff.broker.admin;

/** Kafka's numeric ids of config resource types and config sources, as the config APIs carry them. */
public final class ConfigResources {

    // resource types (ConfigResource.Type)
    public static final byte TOPIC = 2;
    public static final byte BROKER = 4;
    public static final byte BROKER_LOGGER = 8;
    public static final byte GROUP = 32;

    // config sources (DescribeConfigsResponse.ConfigSource)
    public static final byte DYNAMIC_TOPIC_CONFIG = 1;
    public static final byte STATIC_BROKER_CONFIG = 4;
    public static final byte DEFAULT_CONFIG = 5;
    public static final byte GROUP_CONFIG = 8;

    private ConfigResources() {}
}
