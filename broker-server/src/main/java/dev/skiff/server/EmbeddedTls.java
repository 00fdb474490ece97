package dev.skiff.server;

import dev.skiff.server.security.CertificateAuthority;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The certificates of an embedded broker with TLS: a CA made at start, the broker's certificate (localhost,
 * 127.0.0.1, ::1 and the host it binds), client certificates by name, and the files clients load them from
 * (in a temporary directory deleted on close). Kept across restarts, so clients keep trusting the broker.
 */
final class EmbeddedTls implements AutoCloseable {

    private static final String PASSWORD = "skiff-test";

    private final CertificateAuthority authority;
    private final CertificateAuthority.Issued server;
    private final Path dir;
    private final Map<String, Path> clientStores = new LinkedHashMap<>();
    private final EmbeddedSkiff.TrustStore trustStore;

    private EmbeddedTls(String host, List<String> clients) throws IOException {
        this.authority = CertificateAuthority.create("Skiff test CA");
        List<String> dns = new java.util.ArrayList<>(List.of("localhost"));
        List<String> ips = new java.util.ArrayList<>(List.of("127.0.0.1", "::1"));
        if (host.matches("[0-9.]+") || host.contains(":")) {
            if (!ips.contains(host)) ips.add(host);
        } else if (!dns.contains(host)) {
            dns.add(host);
        }
        this.server = authority.issueServer("localhost", dns, ips);
        this.dir = Files.createTempDirectory("skiff-tls-");
        Path p12 = dir.resolve("truststore.p12");
        CertificateAuthority.write(authority.trustStore(), PASSWORD.toCharArray(), p12);
        Path pem = dir.resolve("ca.pem");
        Files.writeString(pem, authority.certificatePem(), StandardCharsets.US_ASCII);
        this.trustStore = new EmbeddedSkiff.TrustStore(p12, PASSWORD, pem, authority.certificatePem());
        for (String client : clients) {
            Path store = dir.resolve("client-" + clientStores.size() + ".p12");
            CertificateAuthority.write(
                    authority.issueClient(client).keyStore("client", PASSWORD.toCharArray()),
                    PASSWORD.toCharArray(),
                    store);
            clientStores.put(client, store);
        }
    }

    static EmbeddedTls create(String host, List<String> clients) {
        try {
            return new EmbeddedTls(host, clients);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    CertificateAuthority authority() {
        return authority;
    }

    CertificateAuthority.Issued server() {
        return server;
    }

    EmbeddedSkiff.TrustStore trustStore() {
        return trustStore;
    }

    String password() {
        return PASSWORD;
    }

    /** The PKCS12 key store of a client certificate made at start. */
    Path clientKeyStore(String name) {
        Path p = clientStores.get(name);
        if (p == null) throw new IllegalArgumentException("No client certificate " + name);
        return p;
    }

    @Override
    public void close() {
        try {
            Directories.deleteRecursively(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
