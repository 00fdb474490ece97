package dev.skiff.it.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.skiff.it.hostile.Survival;
import dev.skiff.server.EmbeddedSkiff;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hostile HTTP at the console over a real socket: oversized request lines, headers and bodies, truncated
 * requests, bad paths and encodings, out-of-range offsets and partitions. Each is refused with a 4xx or the
 * connection is closed; afterwards the console still answers, the Kafka port still serves, and a restart keeps
 * everything.
 */
class ConsoleHostileTest {

    @Test
    void hostileHttpIsRefusedAndNothingIsLost() throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder().console().start()) {
            Survival survival = Survival.before(broker);
            String url = broker.consoleUrl();
            String host = RawHttp.hostHeader(url);
            String topic = survival.topic();

            // a request line past the 4 KiB limit, and 64 KiB of headers
            assertRefused(
                    RawHttp.exchange(url, "GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: " + host + "\r\n\r\n"));
            assertRefused(RawHttp.exchange(
                    url, "GET /health HTTP/1.1\r\nHost: " + host + "\r\nX-Big: " + "b".repeat(65_536) + "\r\n\r\n"));
            // a body announced far past the limit, and one that is sent
            assertRefused(RawHttp.exchange(
                    url,
                    "POST /api/topics HTTP/1.1\r\nHost: " + host
                            + "\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                            + "Content-Length: 99999999999\r\n\r\nname=x"));
            byte[] big = ("POST /api/topics HTTP/1.1\r\nHost: " + host
                            + "\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 2000000\r\n\r\n"
                            + "x".repeat(2_000_000))
                    .getBytes(StandardCharsets.ISO_8859_1);
            assertRefused(RawHttp.exchange(url, big));
            // truncated: headers that never end, a body shorter than announced (the server waits, then we leave)
            RawHttp.exchange(url, "GET /health HTTP/1.1\r\nHost: " + host + "\r\nX-Half: ");
            RawHttp.exchange(
                    url, "POST /api/topics HTTP/1.1\r\nHost: " + host + "\r\nContent-Length: 100\r\n\r\nname=");
            // garbage instead of HTTP
            assertRefused(RawHttp.exchange(url, new byte[] {0, 1, 2, 3, (byte) 0xff, '\r', '\n', '\r', '\n'}));
            // bad paths, encodings and ranges
            for (String target : List.of(
                    "/../../etc/passwd",
                    "/api/topics/%2e%2e%2f%2e%2e",
                    "/api/topics/%ZZ",
                    "/api/topics/" + topic + "/messages?partition=0&offset=9223372036854775807",
                    "/api/topics/" + topic + "/messages?partition=0&offset=-1",
                    "/api/topics/" + topic + "/messages?partition=2147483647",
                    "/api/topics/" + topic + "/messages?partition=0&offset=99999999999999999999999",
                    "/api/topics/" + topic + "/messages?partition=0&timestamp=-5",
                    "/api/topics/" + topic + "/messages?partition=0&limit=100000000",
                    "/api/groups/" + "g".repeat(3000),
                    "/api/nothing/here",
                    "/api/topics?" + "a=1&".repeat(500))) {
                String raw = RawHttp.exchange(
                        url, "GET " + target + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
                int status = RawHttp.status(raw);
                assertTrue(status == -1 || (status >= 200 && status < 500), target + " answered " + raw);
            }
            String huge = RawHttp.exchange(
                    url,
                    "GET /api/topics/" + topic + "/messages?partition=0&offset=9223372036854775807 HTTP/1.1\r\nHost: "
                            + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(huge), huge);
            assertTrue(huge.contains("\"messages\":[]"), huge);

            // the console still answers, then the Kafka side is served and restarts intact
            String health =
                    RawHttp.exchange(url, "GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(health), health);
            survival.assertServedAndRestartsIntact();
            String after = RawHttp.exchange(
                    broker.consoleUrl(), "GET /health HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, RawHttp.status(after), after);
        }
    }

    private static void assertRefused(String raw) {
        int status = RawHttp.status(raw);
        assertTrue(status == -1 || (status >= 400 && status < 500), "expected a refusal, got " + raw);
    }
}
