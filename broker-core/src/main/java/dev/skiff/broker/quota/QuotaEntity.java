package dev.skiff.broker.quota;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A client quota entity as Kafka names it: a user, a client id, a user and client id, or an IP, each part either
 * a name or the default (a null name). Parts are kept in Kafka's order: user, client-id, ip.
 */
public record QuotaEntity(int types, String user, String clientId, String ip) {

    public static final String USER = "user";
    public static final String CLIENT_ID = "client-id";
    public static final String IP = "ip";

    static final int USER_BIT = 1;
    static final int CLIENT_BIT = 2;
    static final int IP_BIT = 4;

    /** One part of an entity: its type and name (null: the default). */
    public record Part(String type, String name) {}

    public QuotaEntity {
        if ((types & USER_BIT) == 0 && user != null) throw new IllegalArgumentException("user without its type");
        if ((types & CLIENT_BIT) == 0 && clientId != null)
            throw new IllegalArgumentException("client id without its type");
        if ((types & IP_BIT) == 0 && ip != null) throw new IllegalArgumentException("ip without its type");
    }

    public static QuotaEntity user(String user) {
        return new QuotaEntity(USER_BIT, user, null, null);
    }

    public static QuotaEntity clientId(String clientId) {
        return new QuotaEntity(CLIENT_BIT, null, clientId, null);
    }

    public static QuotaEntity userAndClientId(String user, String clientId) {
        return new QuotaEntity(USER_BIT | CLIENT_BIT, user, clientId, null);
    }

    public static QuotaEntity ip(String ip) {
        return new QuotaEntity(IP_BIT, null, null, ip);
    }

    public boolean hasUser() {
        return (types & USER_BIT) != 0;
    }

    public boolean hasClientId() {
        return (types & CLIENT_BIT) != 0;
    }

    public boolean hasIp() {
        return (types & IP_BIT) != 0;
    }

    /** The entity with one more part; the type must not be there yet. */
    QuotaEntity with(String type, String name) {
        return switch (type) {
            case USER -> new QuotaEntity(types | USER_BIT, name, clientId, ip);
            case CLIENT_ID -> new QuotaEntity(types | CLIENT_BIT, user, name, ip);
            case IP -> new QuotaEntity(types | IP_BIT, user, clientId, name);
            default -> throw new IllegalArgumentException("unknown entity type " + type);
        };
    }

    /** True when the entity has a part of this type. */
    boolean has(String type) {
        return switch (type) {
            case USER -> hasUser();
            case CLIENT_ID -> hasClientId();
            case IP -> hasIp();
            default -> false;
        };
    }

    /** The name of the part of this type (null: the default, or no such part). */
    String name(String type) {
        return switch (type) {
            case USER -> user;
            case CLIENT_ID -> clientId;
            case IP -> ip;
            default -> null;
        };
    }

    /** The parts in Kafka's order: user, client-id, ip. */
    public List<Part> parts() {
        List<Part> parts = new ArrayList<>(2);
        if (hasUser()) parts.add(new Part(USER, user));
        if (hasClientId()) parts.add(new Part(CLIENT_ID, clientId));
        if (hasIp()) parts.add(new Part(IP, ip));
        return parts;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("{");
        for (Part p : parts()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append(p.type()).append('=').append(Objects.toString(p.name(), "<default>"));
        }
        return sb.append('}').toString();
    }
}
