package dev.skiff.broker.api;

import dev.skiff.broker.RequestContext;

/** The client host as Kafka shows it in group descriptions: "/" and the address, without the port. */
final class ClientHost {

    private ClientHost() {}

    static String of(RequestContext ctx) {
        String a = ctx.clientAddress();
        if (a == null) return "";
        int colon = a.lastIndexOf(':');
        String host = colon > 0 ? a.substring(0, colon) : a;
        return host.startsWith("/") ? host : "/" + host;
    }
}
