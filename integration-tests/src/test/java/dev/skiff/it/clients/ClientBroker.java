package dev.skiff.it.clients;

import dev.skiff.server.EmbeddedSkiff;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One broker per client test class (3 partitions per new topic, as the scripts expect), recording the API
 * versions the client sends and reporting them under the client's name when the class ends.
 */
final class ClientBroker implements BeforeAllCallback, AfterAllCallback {

    private final String client;
    private EmbeddedSkiff broker;
    private ApiUsage usage;

    ClientBroker(String client) {
        this.client = client;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        broker = EmbeddedSkiff.builder().port(0).property("num.partitions", "3").start();
        usage = ApiUsage.attach(broker);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (broker == null) return;
        usage.report(client);
        broker.close();
    }

    EmbeddedSkiff broker() {
        return broker;
    }

    ApiUsage usage() {
        return usage;
    }
}
