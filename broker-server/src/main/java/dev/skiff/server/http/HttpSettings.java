package dev.skiff.server.http;

import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where the console and {@code /metrics} listen: {@code skiff.http.listeners} as {@code http://HOST:PORT}
 * (or {@code HOST:PORT}, or a bare port on 127.0.0.1; port 0 picks a free one). Off when the key is not set.
 * {@code skiff.http.allowed.hosts} adds host names the Host header may carry besides IP literals and localhost
 * (a name a DNS rebinding attack cannot control, e.g. the machine's own name behind a proxy).
 */
public record HttpSettings(String host, int port, List<String> allowedHosts, int maxBodyBytes) {

    public static final String LISTENERS_KEY = "skiff.http.listeners";
    public static final String ALLOWED_HOSTS_KEY = "skiff.http.allowed.hosts";
    public static final String MAX_BODY_KEY = "skiff.http.max.body.bytes";

    /** The settings, or null when no HTTP listener is asked for. */
    public static HttpSettings from(BrokerConfig config) {
        String spec = config.get(LISTENERS_KEY);
        if (spec == null || spec.isBlank()) return null;
        String first = spec.split(",")[0].trim();
        String lower = first.toLowerCase(Locale.ROOT);
        if (lower.startsWith("http://")) first = first.substring("http://".length());
        else if (lower.contains("://")) throw new ConfigException(LISTENERS_KEY + " serves plain http only: " + first);
        String host = "127.0.0.1";
        String port = first;
        int colon = first.lastIndexOf(':');
        if (colon >= 0) {
            host = first.substring(0, colon);
            port = first.substring(colon + 1);
            if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
            if (host.isEmpty()) host = "127.0.0.1";
        }
        int p;
        try {
            p = Integer.parseInt(port.trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(LISTENERS_KEY + " needs http://HOST:PORT, got " + spec);
        }
        if (p < 0 || p > 65535) throw new ConfigException(LISTENERS_KEY + " port must be 0-65535: " + p);
        List<String> allowed = new ArrayList<>();
        String extra = config.get(ALLOWED_HOSTS_KEY);
        if (extra != null)
            for (String h : extra.split(","))
                if (!h.isBlank()) allowed.add(h.trim().toLowerCase(Locale.ROOT));
        int maxBody = 1024 * 1024;
        String mb = config.get(MAX_BODY_KEY);
        if (mb != null && !mb.isBlank()) {
            try {
                maxBody = Integer.parseInt(mb.trim());
            } catch (NumberFormatException e) {
                throw new ConfigException(MAX_BODY_KEY + " must be a number: " + mb);
            }
            if (maxBody <= 0) throw new ConfigException(MAX_BODY_KEY + " must be positive: " + mb);
        }
        return new HttpSettings(host, p, List.copyOf(allowed), maxBody);
    }
}
