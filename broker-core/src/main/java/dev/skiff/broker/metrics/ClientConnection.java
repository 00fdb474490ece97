package dev.skiff.broker.metrics;

/**
 * One open client connection as the console lists it: where from, on which listener, the client id of its last
 * request, and the software it named in ApiVersions (v3+: client_software_name and _version).
 */
public record ClientConnection(
        long id,
        String address,
        String listener,
        long connectedAtMs,
        String clientId,
        String softwareName,
        String softwareVersion,
        String principal) {}
