package dev.skiff.server.http;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The console's sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a per-session token the page
 * sends back in a header with every state-changing request (a page of another site can neither read the token
 * nor set that header without a CORS preflight the console never grants). With security on a session also
 * carries the user who logged in. Bounded: the least recently used sessions go first.
 */
final class ConsoleSessions {

    static final String COOKIE = "skiff_console";
    static final String TOKEN_HEADER = "X-Skiff-Token";
    static final int MAX_SESSIONS = 1000;
    static final long IDLE_MS = 12L * 3600 * 1000;

    static final class Session {
        final String id;
        final String token;
        volatile String user;
        volatile long lastSeenMs;

        Session(String id, String token) {
            this.id = id;
            this.token = token;
        }
    }

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Session> sessions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Session> eldest) {
            return size() > MAX_SESSIONS;
        }
    };

    /** The session a cookie names, or null when there is none (or it idled out). */
    synchronized Session find(String id) {
        if (id == null) return null;
        Session s = sessions.get(id);
        long now = System.currentTimeMillis();
        if (s == null || now - s.lastSeenMs > IDLE_MS) {
            if (s != null) sessions.remove(id);
            return null;
        }
        s.lastSeenMs = now;
        return s;
    }

    synchronized Session create() {
        Session s = new Session(randomToken(), randomToken());
        s.lastSeenMs = System.currentTimeMillis();
        sessions.put(s.id, s);
        return s;
    }

    synchronized void remove(String id) {
        if (id != null) sessions.remove(id);
    }

    private String randomToken() {
        byte[] b = new byte[24];
        random.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** Compares in time independent of where the strings differ. */
    static boolean sameToken(String expected, String given) {
        if (expected == null || given == null) return false;
        return MessageDigest.isEqual(
                expected.getBytes(java.nio.charset.StandardCharsets.UTF_8),
                given.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
