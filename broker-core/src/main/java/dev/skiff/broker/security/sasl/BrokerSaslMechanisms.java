package dev.skiff.broker.security.sasl;

import dev.skiff.broker.security.SaslExchange;
import dev.skiff.broker.security.SaslMechanisms;
import dev.skiff.config.BrokerConfig;
import dev.skiff.config.ConfigException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The SASL mechanisms of one listener and the users they accept, from Kafka's keys and Skiff's simpler ones.
 *
 * <p>Keys (a {@code listener.name.<listener>.} prefixed key, listener in lower case as in Kafka, wins over the bare
 * key):
 * <ul>
 * <li>{@code sasl.enabled.mechanisms}: the mechanisms SaslHandshake offers. Skiff's default is every mechanism it
 *     implements, {@code PLAIN,SCRAM-SHA-256,SCRAM-SHA-512} (Kafka's default, GSSAPI, is not implemented); a
 *     mechanism Skiff does not implement stops the start with a message.
 * <li>PLAIN users: the {@code user_<name>="<password>"} options of {@code PlainLoginModule}, read from
 *     {@code listener.name.<l>.plain.sasl.jaas.config}, else {@code listener.name.<l>.sasl.jaas.config}, else
 *     {@code plain.sasl.jaas.config} or {@code sasl.jaas.config}.
 * <li>{@code skiff.sasl.users=alice:secret,bob:pw}: users for PLAIN and for both SCRAM mechanisms (their SCRAM
 *     credentials are derived at start with a random salt and {@code skiff.sasl.scram.iterations}, and kept in memory
 *     only; they do not show in DescribeUserScramCredentials). A name may not contain ':' or ','.
 * <li>{@code skiff.sasl.scram.iterations} (default 4096, at least 4096): iterations of those credentials.
 * </ul>
 * SCRAM users created at runtime ({@link ScramCredentialStore}) are found first; the config's users after them.
 */
public final class BrokerSaslMechanisms implements SaslMechanisms {

    public static final String PLAIN = "PLAIN";
    public static final List<String> SUPPORTED = List.of(PLAIN, "SCRAM-SHA-256", "SCRAM-SHA-512");
    public static final String USERS = "skiff.sasl.users";
    public static final String ITERATIONS = "skiff.sasl.scram.iterations";
    public static final String USERS_MAX = "skiff.sasl.scram.users.max";
    public static final int DEFAULT_USERS_MAX = 10_000;

    /** Made when the first salt is: seeding it costs a broker's start ~20 ms though most never use SCRAM. */
    private static final class Salts {
        static final SecureRandom RANDOM = new SecureRandom();
    }

    private final List<String> enabled;
    private final Map<String, String> plainUsers;
    private final Map<String, Map<ScramMechanism, ScramCredential>> configScramUsers;
    private final ScramCredentialLookup scram;
    private final int iterations;

    private BrokerSaslMechanisms(
            List<String> enabled,
            Map<String, String> plainUsers,
            Map<String, Map<ScramMechanism, ScramCredential>> configScramUsers,
            ScramCredentialStore store,
            int iterations) {
        this.enabled = List.copyOf(enabled);
        this.plainUsers = Collections.unmodifiableMap(plainUsers);
        this.configScramUsers = configScramUsers;
        this.iterations = iterations;
        this.scram = (user, mech) -> {
            ScramCredential c = store == null ? null : store.get(user, mech);
            if (c != null) return c;
            Map<ScramMechanism, ScramCredential> m = configScramUsers.get(user);
            return m == null ? null : m.get(mech);
        };
    }

    /** The mechanisms of {@code listener} (its name as in {@code listeners}, e.g. SASL_SSL). */
    public static BrokerSaslMechanisms forListener(BrokerConfig config, String listener, ScramCredentialStore store) {
        String prefix = "listener.name." + listener.toLowerCase(Locale.ROOT) + ".";
        List<String> enabled = enabledMechanisms(config, prefix);
        int iterations = iterations(config);
        Map<String, String> users = simpleUsers(config, prefix);
        Map<String, String> plain = new LinkedHashMap<>(plainJaasUsers(config, prefix));
        users.forEach(plain::putIfAbsent);
        Map<String, Map<ScramMechanism, ScramCredential>> scram = new LinkedHashMap<>();
        users.forEach((user, password) -> {
            Map<ScramMechanism, ScramCredential> m = new EnumMap<>(ScramMechanism.class);
            for (ScramMechanism mech : ScramMechanism.values()) {
                if (!enabled.contains(mech.mechanismName())) continue;
                byte[] salt = new byte[24];
                Salts.RANDOM.nextBytes(salt);
                m.put(mech, mech.credential(password, salt, iterations));
            }
            scram.put(user, m);
        });
        return new BrokerSaslMechanisms(enabled, plain, scram, store, iterations);
    }

    /** skiff.sasl.scram.users.max: how many SCRAM users the runtime store may hold. */
    public static int maxScramUsers(BrokerConfig config) {
        String s = config.get(USERS_MAX);
        if (s == null || s.isBlank()) return DEFAULT_USERS_MAX;
        try {
            int n = Integer.parseInt(s.trim());
            if (n >= 0) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ConfigException(USERS_MAX + " must be a number >= 0: " + s);
    }

    @Override
    public List<String> enabled() {
        return enabled;
    }

    @Override
    public SaslExchange start(String mechanism) {
        if (!enabled.contains(mechanism))
            throw new IllegalArgumentException("SASL mechanism " + mechanism + " is not enabled");
        if (PLAIN.equals(mechanism)) return new PlainExchange(plainUsers);
        return new ScramExchange(ScramMechanism.forName(mechanism), scram, iterations);
    }

    /** The PLAIN users of this listener (names only are of interest to callers; passwords stay inside). */
    public java.util.Set<String> plainUserNames() {
        return plainUsers.keySet();
    }

    /** Where this listener's SCRAM exchanges find credentials: the runtime store, then the config's users. */
    public ScramCredentialLookup scramCredentials() {
        return scram;
    }

    private static String value(BrokerConfig config, String... keys) {
        for (String k : keys) {
            String v = config.get(k);
            if (v != null && !v.isBlank()) return v.trim();
        }
        return null;
    }

    private static List<String> enabledMechanisms(BrokerConfig config, String prefix) {
        String s = value(config, prefix + "sasl.enabled.mechanisms", "sasl.enabled.mechanisms");
        if (s == null) return SUPPORTED;
        List<String> out = new ArrayList<>();
        for (String m : s.split(",")) {
            String name = m.trim().toUpperCase(Locale.ROOT);
            if (name.isEmpty()) continue;
            if (!SUPPORTED.contains(name))
                throw new ConfigException("sasl.enabled.mechanisms: Skiff does not implement " + name + "; it offers "
                        + String.join(", ", SUPPORTED));
            if (!out.contains(name)) out.add(name);
        }
        if (out.isEmpty()) throw new ConfigException("sasl.enabled.mechanisms is empty");
        return out;
    }

    private static int iterations(BrokerConfig config) {
        String s = value(config, ITERATIONS);
        if (s == null) return ScramMechanism.MIN_ITERATIONS;
        try {
            int n = Integer.parseInt(s);
            if (n >= ScramMechanism.MIN_ITERATIONS) return n;
        } catch (NumberFormatException e) {
            // fall through
        }
        throw new ConfigException(
                ITERATIONS + " must be a number of at least " + ScramMechanism.MIN_ITERATIONS + ": " + s);
    }

    private static Map<String, String> simpleUsers(BrokerConfig config, String prefix) {
        String key = config.get(prefix + USERS) != null ? prefix + USERS : USERS;
        String s = value(config, key);
        Map<String, String> users = new LinkedHashMap<>();
        if (s == null) return users;
        for (String entry : s.split(",")) {
            String e = entry.trim();
            if (e.isEmpty()) continue;
            int colon = e.indexOf(':');
            if (colon <= 0)
                throw new ConfigException(key + " takes name:password pairs separated by commas; an entry has no name");
            users.put(e.substring(0, colon), e.substring(colon + 1));
        }
        return users;
    }

    private static Map<String, String> plainJaasUsers(BrokerConfig config, String prefix) {
        String[] keys = {
            prefix + "plain.sasl.jaas.config", prefix + "sasl.jaas.config", "plain.sasl.jaas.config", "sasl.jaas.config"
        };
        for (String k : keys) {
            String v = value(config, k);
            if (v == null) continue;
            Map<String, String> users = new LinkedHashMap<>();
            JaasOptions.parse(k, v).options().forEach((name, value) -> {
                if (name.startsWith("user_") && name.length() > 5) users.put(name.substring(5), value);
            });
            return users;
        }
        return Map.of();
    }
}
