package dev.skiff.it.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.server.EmbeddedSkiff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console over plain HTTP: readiness, the API's answers, and the refusals that keep other sites out (a
 * cross-site form post, a request without the session's token, a foreign Host header).
 */
class ConsoleHttpTest {

    private static EmbeddedSkiff broker;
    private static final HttpClient http = HttpClient.newHttpClient();
    private static final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() {
        broker = EmbeddedSkiff.builder().topic("orders", 2).console().start();
    }

    @AfterAll
    static void stop() {
        broker.close();
    }

    private static String url(String path) {
        return broker.consoleUrl() + path;
    }

    @Test
    void healthAnswersAndTheAddressIsPrinted() throws Exception {
        assertNotNull(broker.consoleUrl());
        assertTrue(broker.consoleUrl().startsWith("http://127.0.0.1:"), broker.consoleUrl());
        HttpResponse<String> r = get("health");
        assertEquals(200, r.statusCode());
        assertEquals("UP", json.readTree(r.body()).get("status").asText());
        HttpResponse<String> page = get("");
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("console.js"), page.body());
        assertTrue(
                page.headers().firstValue("content-security-policy").orElse("").contains("default-src 'none'"));
    }

    @Test
    void aTopicCreatedThroughTheApiIsListedAndAMessageProducedIsBrowsed() throws Exception {
        Session s = session();
        HttpResponse<String> created = s.post("api/topics", "name=from-console&partitions=3");
        assertEquals(200, created.statusCode(), created.body());
        assertEquals(3, broker.partitions("from-console"));
        JsonNode topics = json.readTree(get("api/topics").body());
        assertTrue(topics.findValuesAsText("name").contains("from-console"), topics.toString());

        HttpResponse<String> produced = s.post("api/topics/from-console/messages", "partition=1&key=k&value=hello");
        assertEquals(200, produced.statusCode(), produced.body());
        JsonNode page = json.readTree(
                get("api/topics/from-console/messages?partition=1").body());
        assertEquals(1, page.get("messages").size());
        assertEquals(
                "hello",
                new String(java.util.Base64.getDecoder()
                        .decode(page.get("messages").get(0).get("value").asText())));

        assertEquals(409, s.post("api/topics", "name=from-console&partitions=1").statusCode());
        assertEquals(400, s.post("api/topics", "name=bad%2Fname&partitions=1").statusCode());
        assertEquals(400, s.post("api/topics", "name=x&partitions=999999999").statusCode());
        assertEquals(200, s.post("api/topics/from-console/delete", "").statusCode());
        assertEquals(0, broker.partitions("from-console"));
    }

    @Test
    void aCrossSiteFormPostIsRefused() throws Exception {
        Session s = session();
        // what a form on another site sends: its own Origin, the browser's cookie, no token header
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(url("api/topics")))
                        .header("Origin", "http://evil.example")
                        .header("Cookie", s.cookie)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=planted&partitions=1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, r.statusCode(), r.body());
        // same origin but without the token: refused too
        HttpResponse<String> noToken = http.send(
                HttpRequest.newBuilder(URI.create(url("api/topics")))
                        .header("Origin", origin())
                        .header("Cookie", s.cookie)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=planted&partitions=1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, noToken.statusCode(), noToken.body());
        // the token of another session does not do either
        Session other = session();
        HttpResponse<String> stolen = http.send(
                HttpRequest.newBuilder(URI.create(url("api/topics")))
                        .header("Origin", origin())
                        .header("Cookie", s.cookie)
                        .header("X-Skiff-Token", other.token)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("name=planted&partitions=1"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(403, stolen.statusCode(), stolen.body());
        assertEquals(0, broker.partitions("planted"));
    }

    @Test
    void aForeignHostHeaderIsRefused() throws Exception {
        for (String host : List.of("evil.example:" + port(), "rebind.attacker.test", "127.0.0.1:1")) {
            String raw = RawHttp.exchange(
                    broker.consoleUrl(), "GET /api/topics HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
            assertEquals(421, RawHttp.status(raw), host + ": " + raw);
        }
        String localhost = RawHttp.exchange(
                broker.consoleUrl(),
                "GET /health HTTP/1.1\r\nHost: localhost:" + port() + "\r\nConnection: close\r\n\r\n");
        assertEquals(200, RawHttp.status(localhost), localhost);
        String none = RawHttp.exchange(broker.consoleUrl(), "GET /health HTTP/1.0\r\n\r\n");
        assertEquals(421, RawHttp.status(none), none);
    }

    // ---- helpers

    private record Session(String cookie, String token) {
        HttpResponse<String> post(String path, String form) throws Exception {
            return http.send(
                    HttpRequest.newBuilder(URI.create(url(path)))
                            .header("Origin", origin())
                            .header("Cookie", cookie)
                            .header("X-Skiff-Token", token)
                            .header("Content-Type", "application/x-www-form-urlencoded")
                            .POST(HttpRequest.BodyPublishers.ofString(form))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
        }
    }

    private static Session session() throws Exception {
        HttpResponse<String> r = get("api/session");
        String setCookie = r.headers().firstValue("set-cookie").orElseThrow();
        return new Session(
                setCookie.substring(0, setCookie.indexOf(';')),
                json.readTree(r.body()).get("token").asText());
    }

    static HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url(path))).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String origin() {
        return "http://" + RawHttp.hostHeader(broker.consoleUrl());
    }

    private static int port() {
        return URI.create(broker.consoleUrl()).getPort();
    }
}
