package dev.skiff.it.clients;

import dev.skiff.broker.RequestContext;
import dev.skiff.broker.api.ApiHandler;
import dev.skiff.broker.api.ApiHandlers;
import dev.skiff.protocol.ApiKeys;
import dev.skiff.protocol.ApiMessage;
import dev.skiff.server.EmbeddedSkiff;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;

/**
 * Which API versions a client used: wraps the broker's handlers so each request's key and version is noted
 * before the real handler answers. ApiVersions itself is left unwrapped (the server answers unsupported
 * ApiVersions versions through its concrete handler), so its version comes from the clients' debug logs.
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
        ApiHandlers handlers = broker.broker().handlers();
        for (ApiHandler<?> h : new ArrayList<>(handlers.all())) {
            if (h.api() != ApiKeys.API_VERSIONS) handlers.add(usage.wrap(h));
        }
        return usage;
    }

    private <Q extends ApiMessage> ApiHandler<Q> wrap(ApiHandler<Q> inner) {
        return new ApiHandler<>() {
            @Override public ApiKeys api() { return inner.api(); }
            @Override public short minVersion() { return inner.minVersion(); }
            @Override public short maxVersion() { return inner.maxVersion(); }
            @Override public CompletableFuture<ApiMessage> handle(RequestContext ctx, Q request) {
                record(ctx.api(), ctx.apiVersion());
                return inner.handle(ctx, request);
            }
        };
    }

    /** Requests from now on are counted under this label (tests run one at a time); {@link #DEFAULTS} at first. */
    synchronized void label(String settings) {
        label = settings;
    }

    private synchronized void record(ApiKeys api, short version) {
        used.computeIfAbsent(label, k -> new TreeMap<>()).computeIfAbsent(api, k -> new TreeSet<>()).add(version);
    }

    /** One line per label: {@code label: PRODUCE v7, FETCH v4/v11, ...} in API key order. */
    synchronized String summary() {
        return used.entrySet().stream().map(byLabel -> byLabel.getKey() + ": " + byLabel.getValue().entrySet().stream()
                        .map(e -> e.getKey() + " " + e.getValue().stream().map(v -> "v" + v).collect(Collectors.joining("/")))
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
