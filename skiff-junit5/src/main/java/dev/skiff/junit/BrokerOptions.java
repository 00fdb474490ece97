package dev.skiff.junit;

import dev.skiff.server.EmbeddedSkiff;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;

/** Turns a {@link Skiff} annotation into a started broker. */
final class BrokerOptions {

    static EmbeddedSkiff start(Skiff spec) {
        EmbeddedSkiff.Builder b = EmbeddedSkiff.builder();
        int defaultPartitions = 1;
        for (String p : spec.properties()) {
            int eq = p.indexOf('=');
            if (eq <= 0)
                throw new ExtensionConfigurationException("@Skiff properties need key=value, got \"" + p + "\"");
            String key = p.substring(0, eq).trim();
            String value = p.substring(eq + 1).trim();
            b.property(key, value);
            if (key.equals("num.partitions")) defaultPartitions = partitions(value, p);
        }
        for (String t : spec.topics()) {
            int colon = t.lastIndexOf(':');
            String name = (colon < 0 ? t : t.substring(0, colon)).trim();
            if (name.isEmpty())
                throw new ExtensionConfigurationException("@Skiff topics need name:partitions, got \"" + t + "\"");
            b.topic(name, colon < 0 ? defaultPartitions : partitions(t.substring(colon + 1), t));
        }
        if (spec.inMemory()) b.inMemory();
        if (spec.zookeeper()) b.zookeeper();
        if (spec.console()) b.console();
        if (spec.tls()) b.tls();
        if (spec.sasl().length > 0) b.sasl(spec.sasl());
        for (String u : spec.users()) {
            int colon = u.indexOf(':');
            if (colon <= 0)
                throw new ExtensionConfigurationException("@Skiff users need name:password, got \"" + u + "\"");
            b.user(u.substring(0, colon), u.substring(colon + 1));
        }
        for (String c : spec.clientCertificates()) b.clientCertificate(c);
        if (spec.saslProvider() != dev.skiff.server.SaslProvider.class) {
            try {
                var constructor = spec.saslProvider().getDeclaredConstructor();
                constructor.setAccessible(true);
                b.saslProvider(constructor.newInstance());
            } catch (ReflectiveOperationException e) {
                throw new ExtensionConfigurationException(
                        "@Skiff saslProvider " + spec.saslProvider().getName() + " needs a no-argument constructor", e);
            }
        }
        if (spec.brokers() < 1)
            throw new ExtensionConfigurationException("@Skiff brokers must be at least 1, got " + spec.brokers());
        if (spec.brokers() > 1) b.brokers(spec.brokers());
        if (spec.authorizer()) b.authorizer();
        for (String u : spec.superUsers()) b.superUser(u);
        for (String acl : spec.acls()) {
            try {
                b.acl(acl);
            } catch (IllegalArgumentException e) {
                throw new ExtensionConfigurationException("@Skiff acls: " + e.getMessage(), e);
            }
        }
        return b.start();
    }

    private static int partitions(String value, String spec) {
        try {
            int n = Integer.parseInt(value.trim());
            if (n > 0) return n;
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new ExtensionConfigurationException("@Skiff needs a positive partition count in \"" + spec + "\"");
    }

    private BrokerOptions() {}
}
