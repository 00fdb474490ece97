package dev.skiff.it.clients;

import dev.skiff.protocol.ApiKeys;
import dev.skiff.server.EmbeddedSkiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Which API versions a client used: a request control on each API notes the request's key and version and
 * leaves it to the broker. ApiVersions itself is not watched (the server answers unsupported ApiVersions
 * versions before any control), so its version comes from the clients' debug logs.
 * The summary is printed and written to {@code target/client-api-versions/<client>.txt} for docs/CLIENTS.md.
 */
final class ApiUsage {

    public static final String DEFAULTS = "defaults";

    /** label (the client settings of the requests) -> API -> versions */
    private final Map<String, Map<ApiKeys, Set<Short>>> used = new TreeMap<>();

    private String label = DEFAULTS;

    private ApiUsage() {}

    /** Starts recording on this broker; call before any client connects. */
    static ApiUsage attach(EmbeddedSkiff broker) {
        ApiUsage usage = new ApiUsage();
        for (ApiKeys api : ApiKeys.values()) {
            if (api == ApiKeys.API_VERSIONS) continue;
            broker.control(api, (ctx, request) -> {
                usage.record(ctx.api(), ctx.apiVersion());
                return null; // only watching: the broker answers
            });
        }
        return usage;
    }

    /** Requests from now on are counted under this label (tests run one at a time); {@link #DEFAULTS} at first. */
    synchronized void label(String settings) {
        label = settings;
    }

    private synchronized void record(ApiKeys api, short version) {
        used.computeIfAbsent(label, k -> new TreeMap<>())
                .computeIfAbsent(api, k -> new TreeSet<>())
                .add(version);
    }

    /** One line per label: {@code label: PRODUCE v7, FETCH v4/v11, ...} in API key order. */
    synchronized String summary() {
        return used.entrySet().stream()
                .map(byLabel -> byLabel.getKey() + ": "
                        + byLabel.getValue().entrySet().stream()
                                .map(e -> e.getKey() + " "
                                        + e.getValue().stream()
                                                .map(v -> "v" + v)
                                                .collect(Collectors.joining("/")))
                                .collect(Collectors.joining(", ")))
                .collect(Collectors.joining("\n"));
    }

    void report(String client) {
        synchronized (this) {
            if (used.isEmpty()) return; // every test skipped
        }
        String lines = summary().lines().map(l -> client + " " + l).collect(Collectors.joining("\n"));
        System.out.println("API versions used by\n" + lines);
        try {
            Path dir = Paths.get("target", "client-api-versions");
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(client.replaceAll("[^A-Za-z0-9.-]", "_") + ".txt"), lines + "\n");
        } catch (IOException e) {
            System.out.println("cannot write the API version report: " + e);
        }
    }
}
