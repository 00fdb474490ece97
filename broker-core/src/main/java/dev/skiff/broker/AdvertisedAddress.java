package dev.skiff.broker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where clients reach this broker, per listener: known from the config, and replaced once the server has
 * bound its ports (port 0 picks one). Metadata, FindCoordinator and DescribeCluster read the address of the
 * listener the request came in on; a listener not set (in-process requests) gets the first one's.
 */
public final class AdvertisedAddress {

    private record HostPort(String host, int port) {}

    private volatile String host;
    private volatile int port;
    private final Map<String, HostPort> byListener = new ConcurrentHashMap<>();

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

    /** Where clients of {@code listener} are told to connect. */
    public void set(String listener, String host, int port) {
        byListener.put(listener, new HostPort(host, port));
    }

    /** The host advertised to clients of {@code listener}. */
    public String host(String listener) {
        HostPort hp = listener == null ? null : byListener.get(listener);
        return hp != null ? hp.host() : host;
    }

    /** The port advertised to clients of {@code listener}. */
    public int port(String listener) {
        HostPort hp = listener == null ? null : byListener.get(listener);
        return hp != null ? hp.port() : port;
    }
}
