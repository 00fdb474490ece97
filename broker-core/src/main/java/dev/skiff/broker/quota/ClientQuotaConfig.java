package dev.skiff.broker.quota;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;

/** The settings of client quotas: Kafka's quota.window.num and quota.window.size.seconds, and Skiff's cap. */
public final class ClientQuotaConfig {

    public static final String WINDOW_NUM = "quota.window.num";
    public static final String WINDOW_SIZE_SECONDS = "quota.window.size.seconds";
    public static final String ENTITIES_MAX = "skiff.quotas.entities.max";

    static final int DEFAULT_WINDOW_NUM = 11;
    static final int DEFAULT_WINDOW_SIZE_SECONDS = 1;
    static final int DEFAULT_ENTITIES_MAX = 10_000;

    private ClientQuotaConfig() {}

    /** skiff.quotas.entities.max: how many quota entities the store may hold. */
    public static int maxEntities(BrokerConfig config) {
        return intAtLeast(config, ENTITIES_MAX, DEFAULT_ENTITIES_MAX, 0);
    }

    /** The enforcer, measuring over quota.window.num samples of quota.window.size.seconds (Kafka's defaults 11, 1). */
    public static ClientQuotas enforcer(BrokerConfig config) {
        int samples = intAtLeast(config, WINDOW_NUM, DEFAULT_WINDOW_NUM, 1);
        int seconds = intAtLeast(config, WINDOW_SIZE_SECONDS, DEFAULT_WINDOW_SIZE_SECONDS, 1);
        return new ClientQuotas(samples, seconds * 1000L);
    }

    private static int intAtLeast(BrokerConfig config, String key, int dflt, int min) {
        String s = config.get(key);
        if (s == null || s.isBlank()) return dflt;
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= min) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ConfigException(key + " must be a number >= " + min + ": " + s);
    }
}
