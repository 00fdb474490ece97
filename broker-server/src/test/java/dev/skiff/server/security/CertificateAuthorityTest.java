package dev.skiff.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The JDK-only certificates parse, chain to the CA, and carry the names clients verify. */
class CertificateAuthorityTest {

    @Test
    void issuesCertificatesThatVerifyAgainstTheCa() throws Exception {
        CertificateAuthority ca = CertificateAuthority.create("Test CA");
        X509Certificate root = ca.certificate();
        root.verify(root.getPublicKey());
        assertTrue(root.getBasicConstraints() >= 0, "the CA is a CA");

        var server = ca.issueServer("localhost", List.of("localhost"), List.of("127.0.0.1"));
        X509Certificate leaf = server.chain().get(0);
        leaf.verify(root.getPublicKey());
        assertEquals(-1, leaf.getBasicConstraints());
        assertTrue(leaf.getSubjectAlternativeNames().stream()
                .anyMatch(n -> n.get(1).equals("127.0.0.1")));
        assertTrue(leaf.getSubjectAlternativeNames().stream()
                .anyMatch(n -> n.get(1).equals("localhost")));

        var client = ca.issueClient("alice");
        assertEquals("CN=alice", client.chain().get(0).getSubjectX500Principal().getName());
        assertEquals(
                client.key(),
                SslContexts.privateKey(client.keyPem(), null),
                "the PEM key reads back through the ssl.keystore.key path");
        assertEquals(2, SslContexts.certificates(client.chainPem()).size());
    }
}
