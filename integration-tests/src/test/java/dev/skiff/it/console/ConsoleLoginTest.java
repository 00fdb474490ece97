package dev.skiff.it.console;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.skiff.server.EmbeddedSkiff;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * With a SASL listener the console needs a login with a user of the broker, checked by the broker's own PLAIN or
 * SCRAM mechanism: nothing but the session and /health answers before it, a wrong password is refused.
 */
class ConsoleLoginTest {

    private static final HttpClient http = HttpClient.newHttpClient();

    @ParameterizedTest
    @ValueSource(strings = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"})
    void theConsoleAsksForABrokerUser(String mechanism) throws Exception {
        try (EmbeddedSkiff broker = EmbeddedSkiff.builder()
                .sasl(mechanism)
                .user("alice", "alice-secret")
                .topic("guarded", 1)
                .console()
                .start()) {
            String base = broker.consoleUrl();
            assertEquals(200, get(base + "health", null).statusCode());
            HttpResponse<String> session = get(base + "api/session", null);
            String setCookie = session.headers().firstValue("set-cookie").orElseThrow();
            String cookie = setCookie.substring(0, setCookie.indexOf(';'));
            var body = new ObjectMapper().readTree(session.body());
            assertEquals(true, body.get("loginRequired").asBoolean());
            String token = body.get("token").asText();

            assertEquals(401, get(base + "api/topics", cookie).statusCode());
            assertEquals(401, get(base + "metrics", cookie).statusCode());
            assertEquals(401, login(base, cookie, token, "alice", "wrong").statusCode());
            assertEquals(
                    401, login(base, cookie, token, "mallory", "alice-secret").statusCode());
            HttpResponse<String> ok = login(base, cookie, token, "alice", "alice-secret");
            assertEquals(200, ok.statusCode(), ok.body());
            assertEquals(
                    "User:alice",
                    new ObjectMapper().readTree(ok.body()).get("user").asText());
            HttpResponse<String> topics = get(base + "api/topics", cookie);
            assertEquals(200, topics.statusCode());
            assertEquals(200, get(base + "metrics", cookie).statusCode());
        }
    }

    private static HttpResponse<String> get(String url, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url));
        if (cookie != null) b.header("Cookie", cookie);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static HttpResponse<String> login(String base, String cookie, String token, String user, String password)
            throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(base + "api/login"))
                        .header("Origin", base.substring(0, base.length() - 1))
                        .header("Cookie", cookie)
                        .header("X-Skiff-Token", token)
                        .header("Content-Type", "application/x-www-form-urlencoded")
                        .POST(HttpRequest.BodyPublishers.ofString("user=" + user + "&password=" + password))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
