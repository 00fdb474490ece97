package dev.skiff.server.zookeeper;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;

/**
 * Whether and how the ZooKeeper bridge runs, read from the broker's properties. Holds no ZooKeeper type, so
 * asking "is it on?" loads nothing of ZooKeeper.
 *
 * @param embeddedPort port of the ZooKeeper server started in-process (0: a free one), or -1 for none
 * @param connect      {@code host:port[,host:port][/chroot]} of an existing ensemble, or null
 */
public record ZooKeeperSettings(int embeddedPort, String connect, int sessionTimeoutMs, int connectionTimeoutMs) {

    /** Skiff's key: start an embedded ZooKeeper server on this port. */
    public static final String PORT_KEY = "skiff.zookeeper.port";
    /** Kafka's key: the ensemble to register in. */
    public static final String CONNECT_KEY = "zookeeper.connect";

    public static final String SESSION_TIMEOUT_KEY = "zookeeper.session.timeout.ms";
    public static final String CONNECTION_TIMEOUT_KEY = "zookeeper.connection.timeout.ms";

    public boolean embedded() {
        return embeddedPort >= 0;
    }

    /** The settings, or null when neither key is set (the bridge stays off). */
    public static ZooKeeperSettings from(BrokerConfig config) {
        String port = blankToNull(config.get(PORT_KEY));
        String connect = blankToNull(config.get(CONNECT_KEY));
        if (port == null && connect == null) return null;
        if (port != null && connect != null) {
            throw new ConfigException("set either " + PORT_KEY + " (embedded ZooKeeper) or " + CONNECT_KEY
                    + " (an existing one), not both");
        }
        int embeddedPort = port == null ? -1 : intValue(PORT_KEY, port);
        if (port != null && (embeddedPort < 0 || embeddedPort > 65535)) {
            throw new ConfigException(PORT_KEY + " must be 0-65535: " + port);
        }
        int session = intValue(SESSION_TIMEOUT_KEY, config.get(SESSION_TIMEOUT_KEY), 6000);
        int connection = intValue(CONNECTION_TIMEOUT_KEY, config.get(CONNECTION_TIMEOUT_KEY), 6000);
        return new ZooKeeperSettings(embeddedPort, connect, session, connection);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    private static int intValue(String key, String value, int def) {
        return blankToNull(value) == null ? def : intValue(key, value.trim());
    }

    private static int intValue(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a number: " + value);
        }
    }
}
