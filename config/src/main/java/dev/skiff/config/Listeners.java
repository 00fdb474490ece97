package dev.skiff.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The listeners of a broker, from Kafka's keys: {@code listeners} ({@code NAME://host:port}, comma separated),
 * {@code advertised.listeners} (same form, by name), {@code listener.security.protocol.map}
 * ({@code NAME:PROTOCOL}, default: each protocol's own name) and {@code inter.broker.listener.name}. Without
 * {@code listeners} the broker has one PLAINTEXT listener on {@code host.name}/{@code port}, as before.
 */
public final class Listeners {

    /** One listener: its name (Kafka's, upper case), what it speaks, and where it binds. */
    public record Endpoint(String name, SecurityProtocol protocol, String host, int port) {
        /** The prefix of this listener's own keys: {@code listener.name.<name in lower case>.}. */
        public String configPrefix() {
            return "listener.name." + name.toLowerCase(Locale.ROOT) + ".";
        }
    }

    /** Where clients are told to reach a listener; port 0 or less means the bound port. */
    public record Advertised(String host, int port) {}

    private final List<Endpoint> endpoints;
    private final Map<String, Advertised> advertised;
    private final String interBrokerListener;

    private Listeners(List<Endpoint> endpoints, Map<String, Advertised> advertised, String interBrokerListener) {
        this.endpoints = List.copyOf(endpoints);
        this.advertised = Collections.unmodifiableMap(advertised);
        this.interBrokerListener = interBrokerListener;
    }

    /**
     * Parses the listener keys of {@code values}; the first listener binds {@code firstHost}:{@code firstPort}
     * (BrokerConfig's host and port, which {@code host.name} and {@code port} may override).
     */
    static Listeners parse(Map<String, String> values, String firstHost, int firstPort) {
        Map<String, SecurityProtocol> protocols = protocolMap(values.get("listener.security.protocol.map"));
        List<Endpoint> endpoints = new ArrayList<>();
        String listeners = values.get("listeners");
        if (listeners == null || listeners.isBlank()) {
            endpoints.add(new Endpoint("PLAINTEXT", SecurityProtocol.PLAINTEXT, firstHost, firstPort));
        } else {
            for (String item : listeners.split(",")) {
                if (item.isBlank()) continue;
                Parsed p = Parsed.of(item.trim());
                SecurityProtocol protocol = protocols.get(p.name());
                if (protocol == null)
                    throw new ConfigException(
                            "listener " + p.name() + " has no security protocol in listener.security.protocol.map");
                for (Endpoint e : endpoints) {
                    if (e.name().equals(p.name())) throw new ConfigException("listener " + p.name() + " given twice");
                }
                boolean first = endpoints.isEmpty();
                endpoints.add(
                        new Endpoint(p.name(), protocol, first ? firstHost : p.host(), first ? firstPort : p.port()));
            }
            if (endpoints.isEmpty()) throw new ConfigException("listeners names no listener: " + listeners);
        }
        Map<String, Advertised> advertised = new LinkedHashMap<>();
        String adv = values.get("advertised.listeners");
        if (adv != null && !adv.isBlank()) {
            for (String item : adv.split(",")) {
                if (item.isBlank()) continue;
                Parsed p = Parsed.of(item.trim());
                // Kafka allows a bare host:port for the first listener in old configs
                String name = p.name() != null ? p.name() : endpoints.get(0).name();
                advertised.put(name, new Advertised(p.host(), p.port()));
            }
        }
        String inter = values.get("inter.broker.listener.name");
        if (inter == null || inter.isBlank()) {
            inter = endpoints.get(0).name();
        } else {
            inter = inter.trim().toUpperCase(Locale.ROOT);
            String wanted = inter;
            if (endpoints.stream().noneMatch(e -> e.name().equals(wanted)))
                throw new ConfigException("inter.broker.listener.name " + inter + " is not one of the listeners");
        }
        return new Listeners(endpoints, advertised, inter);
    }

    private static Map<String, SecurityProtocol> protocolMap(String map) {
        Map<String, SecurityProtocol> m = new LinkedHashMap<>();
        if (map == null || map.isBlank()) {
            for (SecurityProtocol p : SecurityProtocol.values()) m.put(p.name(), p);
            return m;
        }
        for (String item : map.split(",")) {
            if (item.isBlank()) continue;
            int colon = item.indexOf(':');
            if (colon <= 0) throw new ConfigException("listener.security.protocol.map needs NAME:PROTOCOL: " + item);
            m.put(
                    item.substring(0, colon).trim().toUpperCase(Locale.ROOT),
                    SecurityProtocol.parse(item.substring(colon + 1)));
        }
        return m;
    }

    /** Every listener, the first one first (the one {@code host}/{@code port} describe). */
    public List<Endpoint> all() {
        return endpoints;
    }

    public Endpoint first() {
        return endpoints.get(0);
    }

    /** The listener of that name, or null. */
    public Endpoint get(String name) {
        for (Endpoint e : endpoints) if (e.name().equalsIgnoreCase(name)) return e;
        return null;
    }

    /** What {@code advertised.listeners} says for a listener, or null when it says nothing. */
    public Advertised advertised(String name) {
        return advertised.get(name);
    }

    public String interBrokerListener() {
        return interBrokerListener;
    }

    /** {@code NAME://host:port}, or a bare {@code host:port} (name null). */
    record Parsed(String name, String host, int port) {
        static Parsed of(String item) {
            int scheme = item.indexOf("://");
            String name = scheme >= 0 ? item.substring(0, scheme).trim().toUpperCase(Locale.ROOT) : null;
            String hostPort = scheme >= 0 ? item.substring(scheme + 3) : item;
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0) throw new ConfigException("listener needs host:port: " + item);
            String h = hostPort.substring(0, colon);
            if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
            if (h.isEmpty()) h = "0.0.0.0";
            try {
                int port = Integer.parseInt(hostPort.substring(colon + 1).trim());
                if (port < 0 || port > 65535) throw new ConfigException("port must be 0-65535 in listener " + item);
                return new Parsed(name, h, port);
            } catch (NumberFormatException e) {
                throw new ConfigException("bad port in listener " + item);
            }
        }
    }
}
