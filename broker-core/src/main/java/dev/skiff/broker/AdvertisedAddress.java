package dev.skiff.broker;

/**
 * Where clients reach this broker: known from the config, and replaced once the server has bound its port
 * (port 0 picks one). Metadata, FindCoordinator and DescribeCluster read it on every request.
 */
public final class AdvertisedAddress {

    private volatile String host;
    private volatile int port;

    public AdvertisedAddress(String host, int port) {
        this.host = host;
        this.port = port;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public void set(String host, int port) {
        this.host = host;
        this.port = port;
    }
}
