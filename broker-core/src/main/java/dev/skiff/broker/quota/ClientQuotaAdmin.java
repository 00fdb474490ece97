package dev.skiff.broker.quota;

import dev.skiff.protocol.ApiException;
import dev.skiff.protocol.Errors;
import dev.skiff.protocol.message.AlterClientQuotasRequestData;
import dev.skiff.protocol.message.AlterClientQuotasResponseData;
import dev.skiff.protocol.message.DescribeClientQuotasRequestData;
import dev.skiff.protocol.message.DescribeClientQuotasResponseData;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The rules of AlterClientQuotas and DescribeClientQuotas as Kafka's controller and brokers apply them
 * ({@code ClientQuotaControlManager}, {@code ClientQuotaCache}), over a {@link ClientQuotaStore}.
 *
 * <p>Alter, per entity: an empty entity, an empty name or a bad combination (ip with user or client-id) answers
 * INVALID_REQUEST, as does an unknown entity type and an IP that is not an address INVALID_REQUEST; then
 * per key: a key the entity cannot have, a value not above 0, or a fraction or too large a value for an integral
 * key answers INVALID_REQUEST; a key named twice INVALID_REQUEST. Removing a key the entity does not have is no
 * change. Skiff adds bounds of its own, answered INVALID_REQUEST: names of at most {@link #MAX_NAME_BYTES} bytes,
 * at most {@code skiff.quotas.entities.max} entities, and IPs written as addresses (Kafka also resolves host names;
 * Skiff does no DNS lookup on a request). The entities that pass are written in one change (write, then apply),
 * unless validate_only; if the write fails the whole request fails and nothing changes.
 */
public final class ClientQuotaAdmin {

    /** Longest entity name Skiff accepts (Kafka sets no bound; a heap and a file do). */
    public static final int MAX_NAME_BYTES = 1024;

    public static final String PRODUCER_BYTE_RATE = "producer_byte_rate";
    public static final String CONSUMER_BYTE_RATE = "consumer_byte_rate";
    public static final String REQUEST_PERCENTAGE = "request_percentage";
    public static final String CONTROLLER_MUTATION_RATE = "controller_mutation_rate";
    public static final String CONNECTION_CREATION_RATE = "connection_creation_rate";

    private enum KeyType {
        LONG,
        INT,
        DOUBLE
    }

    private static final Map<String, KeyType> USER_CLIENT_KEYS = Map.of(
            PRODUCER_BYTE_RATE, KeyType.LONG,
            CONSUMER_BYTE_RATE, KeyType.LONG,
            REQUEST_PERCENTAGE, KeyType.DOUBLE,
            CONTROLLER_MUTATION_RATE, KeyType.DOUBLE);
    private static final Map<String, KeyType> IP_KEYS = Map.of(CONNECTION_CREATION_RATE, KeyType.INT);

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("\\[?[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(%[0-9A-Za-z]+)?]?");

    private final ClientQuotaStore store;

    public ClientQuotaAdmin(ClientQuotaStore store) {
        this.store = store;
    }

    public ClientQuotaStore store() {
        return store;
    }

    // ---- alter

    public synchronized AlterClientQuotasResponseData alter(AlterClientQuotasRequestData request) {
        // by entity (a request naming one twice is answered once, as Kafka's map of results does); an entity
        // that failed validation is its own key
        Map<Object, ApiException> results = new LinkedHashMap<>();
        Map<Object, List<AlterClientQuotasRequestData.EntityData>> asAsked = new HashMap<>();
        List<ClientQuotaStore.Change> changes = new ArrayList<>();
        Map<QuotaEntity, Map<String, Double>> current = store.all();
        int entities = current.size();
        for (AlterClientQuotasRequestData.EntryData entry : request.entries()) {
            // Kafka folds the entity parts into a map: a type named twice keeps its last name
            Map<String, String> parts = new LinkedHashMap<>();
            for (AlterClientQuotasRequestData.EntityData e : entry.entity()) parts.put(e.entityType(), e.entityName());
            QuotaEntity entity = null;
            ApiException error = null;
            try {
                entity = entity(parts);
            } catch (ApiException e) {
                error = e;
            }
            // an entity Skiff cannot even name answers under the parts as asked
            Object key = entity != null ? entity : new Object();
            asAsked.putIfAbsent(key, entry.entity());
            if (error == null) {
                Map<String, Double> ops = new LinkedHashMap<>();
                for (AlterClientQuotasRequestData.OpData op : entry.ops()) {
                    if (ops.containsKey(op.key())) {
                        error = new ApiException(
                                Errors.INVALID_REQUEST,
                                "Duplicate quota key " + op.key() + " not updating quota for this entity " + entity);
                        break;
                    }
                    ops.put(op.key(), op.remove() ? null : op.value());
                }
                if (error == null) {
                    List<ClientQuotaStore.Change> mine = new ArrayList<>();
                    error = alterEntity(entity, ops, current.getOrDefault(entity, Map.of()), mine);
                    if (error == null && !mine.isEmpty() && !current.containsKey(entity)) {
                        if (entities >= store.maxEntities())
                            error = new ApiException(
                                    Errors.INVALID_REQUEST,
                                    "Skiff keeps at most " + store.maxEntities()
                                            + " client quota entities (skiff.quotas.entities.max)");
                        else entities++;
                    }
                    if (error == null) changes.addAll(mine);
                }
            }
            results.put(key, error);
        }
        if (!request.validateOnly()) {
            try {
                store.apply(changes);
            } catch (UncheckedIOException e) {
                throw new ApiException(Errors.UNKNOWN_SERVER_ERROR, "Could not store the client quotas", e);
            }
        }
        AlterClientQuotasResponseData response = new AlterClientQuotasResponseData();
        results.forEach((entity, e) -> {
            AlterClientQuotasResponseData.EntryData r = new AlterClientQuotasResponseData.EntryData();
            for (AlterClientQuotasRequestData.EntityData part : asAsked.get(entity))
                r.entity()
                        .add(new AlterClientQuotasResponseData.EntityData()
                                .setEntityType(part.entityType())
                                .setEntityName(part.entityName()));
            if (e != null) r.setErrorCode(e.error().code()).setErrorMessage(e.getMessage());
            response.entries().add(r);
        });
        return response;
    }

    /** Kafka's validateEntity and configKeysForEntityType, in its order. */
    private static QuotaEntity entity(Map<String, String> parts) {
        if (parts.isEmpty()) throw new ApiException(Errors.INVALID_REQUEST, "Invalid empty client quota entity");
        QuotaEntity entity = new QuotaEntity(0, null, null, null);
        for (Map.Entry<String, String> p : parts.entrySet()) {
            String type = p.getKey();
            String name = p.getValue();
            switch (Objects.toString(type, "")) {
                case QuotaEntity.USER, QuotaEntity.CLIENT_ID -> {}
                case QuotaEntity.IP -> {
                    if (name != null && !isAddress(name))
                        throw new ApiException(Errors.INVALID_REQUEST, "Unknown host " + name);
                }
                default ->
                    throw new ApiException(Errors.INVALID_REQUEST, "Unhandled client quota entity type: " + type);
            }
            if (name != null && name.isEmpty())
                throw new ApiException(Errors.INVALID_REQUEST, "Empty " + type + " not supported");
            if (name != null && name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES)
                throw new ApiException(
                        Errors.INVALID_REQUEST, type + " must not be longer than " + MAX_NAME_BYTES + " bytes");
            entity = entity.with(type, name);
        }
        if (entity.hasIp() && (entity.hasUser() || entity.hasClientId()))
            throw new ApiException(
                    Errors.INVALID_REQUEST,
                    "Invalid quota entity combination, IP entity should not be combined with User or ClientId");
        return entity;
    }

    /** An IPv4 or IPv6 literal; never a name to look up. */
    static boolean isAddress(String s) {
        if (IPV4.matcher(s).matches()) {
            for (String octet : s.split("\\.")) if (Integer.parseInt(octet) > 255) return false;
        } else if (s.indexOf(':') < 0 || !IPV6.matcher(s).matches()) {
            return false;
        }
        try {
            // a dotted quad in range, or text with a colon: parsed as a literal, never looked up
            InetAddress.getByName(s);
            return true;
        } catch (UnknownHostException | RuntimeException e) {
            return false;
        }
    }

    /** Kafka's alterClientQuotaEntity: the changes for one entity, or the error that refuses all of them. */
    private static ApiException alterEntity(
            QuotaEntity entity,
            Map<String, Double> ops,
            Map<String, Double> current,
            List<ClientQuotaStore.Change> out) {
        Map<String, KeyType> keys = entity.hasIp() ? IP_KEYS : USER_CLIENT_KEYS;
        for (Map.Entry<String, Double> op : ops.entrySet()) {
            String key = op.getKey();
            Double value = op.getValue();
            if (value == null) {
                if (current.containsKey(key)) out.add(new ClientQuotaStore.Change(entity, key, null));
                continue;
            }
            ApiException e = checkValue(keys, key, value);
            if (e != null) return e;
            if (!Objects.equals(current.get(key), value)) out.add(new ClientQuotaStore.Change(entity, key, value));
        }
        return null;
    }

    private static ApiException checkValue(Map<String, KeyType> keys, String key, double value) {
        KeyType type = keys.get(key);
        if (type == null) return new ApiException(Errors.INVALID_REQUEST, "Invalid configuration key " + key);
        if (value <= 0.0) return new ApiException(Errors.INVALID_REQUEST, "Quota " + key + " must be greater than 0");
        return switch (type) {
            case DOUBLE -> null;
            case INT ->
                value > Integer.MAX_VALUE
                        ? new ApiException(
                                Errors.INVALID_REQUEST, "Proposed value for " + key + " is too large for an INT.")
                        : integral(value, key);
            case LONG ->
                value > Long.MAX_VALUE
                        ? new ApiException(
                                Errors.INVALID_REQUEST, "Proposed value for " + key + " is too large for a LONG.")
                        : integral(value, key);
        };
    }

    private static ApiException integral(double value, String key) {
        if (Math.abs(value % 1.0) > 1e-6)
            return new ApiException(Errors.INVALID_REQUEST, key + " cannot be a fractional value.");
        return null;
    }

    // ---- describe

    private enum Match {
        EXACT,
        DEFAULT,
        ANY
    }

    private record Filter(Match match, String name) {
        boolean matches(QuotaEntity e, String type) {
            if (!e.has(type)) return false;
            return switch (match) {
                case EXACT -> Objects.equals(e.name(type), name);
                case DEFAULT -> e.name(type) == null;
                case ANY -> true;
            };
        }
    }

    /**
     * Kafka's ClientQuotaCache: with no components and not strict, every entity; an ip filter alone matches ip
     * entities; user and client-id filters match entities with those parts (both: entities with both), and strict
     * leaves out user-and-client-id entities unless both were filtered.
     */
    public DescribeClientQuotasResponseData describe(DescribeClientQuotasRequestData request) {
        // one component at a time, its type and then its match, in the order Kafka 4.1.1 reports them
        Map<String, Filter> filters = new LinkedHashMap<>();
        for (DescribeClientQuotasRequestData.ComponentData c : request.components()) {
            String type = c.entityType();
            if (filters.containsKey(type))
                throw new ApiException(Errors.INVALID_REQUEST, "Duplicate " + type + " filter component entity type");
            if (type.isEmpty())
                throw new ApiException(Errors.INVALID_REQUEST, "Unexpected empty filter component entity type");
            if (!type.equals(QuotaEntity.USER) && !type.equals(QuotaEntity.CLIENT_ID) && !type.equals(QuotaEntity.IP))
                throw new ApiException(Errors.UNSUPPORTED_VERSION, "Custom entity type " + type + " not supported");
            Match match = switch (c.matchType()) {
                case 0 -> {
                    if (c.match() == null)
                        throw new ApiException(
                                Errors.INVALID_REQUEST,
                                "Request specified MATCH_TYPE_EXACT, but set match string to null");
                    yield Match.EXACT;
                }
                case 1 -> Match.DEFAULT;
                case 2 -> Match.ANY;
                default -> throw new ApiException(Errors.INVALID_REQUEST, "Unexpected match type " + c.matchType());
            };
            filters.put(type, new Filter(match, match == Match.EXACT ? c.match() : null));
        }
        Map<QuotaEntity, Map<String, Double>> all = store.all();
        List<QuotaEntity> matched = new ArrayList<>();
        if (filters.isEmpty()) {
            if (!request.strict()) matched.addAll(all.keySet());
        } else if (filters.containsKey(QuotaEntity.IP)) {
            if (filters.size() > 1)
                throw new ApiException(
                        Errors.INVALID_REQUEST,
                        "Invalid entity filter component combination, IP filter component should not be used with"
                                + " User or ClientId filter component.");
            Filter f = filters.get(QuotaEntity.IP);
            for (QuotaEntity e : all.keySet()) if (f.matches(e, QuotaEntity.IP)) matched.add(e);
        } else {
            Filter user = filters.get(QuotaEntity.USER);
            Filter client = filters.get(QuotaEntity.CLIENT_ID);
            for (QuotaEntity e : all.keySet()) {
                if (user != null && !user.matches(e, QuotaEntity.USER)) continue;
                if (client != null && !client.matches(e, QuotaEntity.CLIENT_ID)) continue;
                if (request.strict() && e.hasUser() && e.hasClientId() && (user == null || client == null)) continue;
                matched.add(e);
            }
        }
        DescribeClientQuotasResponseData response = new DescribeClientQuotasResponseData();
        for (QuotaEntity e : matched) {
            DescribeClientQuotasResponseData.EntryData entry = new DescribeClientQuotasResponseData.EntryData();
            for (QuotaEntity.Part p : e.parts())
                entry.entity()
                        .add(new DescribeClientQuotasResponseData.EntityData()
                                .setEntityType(p.type())
                                .setEntityName(p.name()));
            all.get(e)
                    .forEach((k, v) -> entry.values()
                            .add(new DescribeClientQuotasResponseData.ValueData()
                                    .setKey(k)
                                    .setValue(v)));
            response.entries().add(entry);
        }
        return response;
    }
}
