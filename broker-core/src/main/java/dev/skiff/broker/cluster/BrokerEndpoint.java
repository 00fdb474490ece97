package dev.skiff.broker.cluster;

/** A broker as clients reach it: its id and the address it advertises (rack may be null). */
public record BrokerEndpoint(int id, String host, int port, String rack) {}
