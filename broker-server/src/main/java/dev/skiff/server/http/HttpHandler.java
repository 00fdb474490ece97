package dev.skiff.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.CookieHeaderNames;
import io.netty.handler.codec.http.cookie.DefaultCookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.netty.handler.codec.http.cookie.ServerCookieEncoder;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes the console's HTTP requests: {@code /health}, {@code /metrics}, the page and its two assets, and the
 * JSON API under {@code /api/}. Before anything else it refuses a Host header that is not the console's own
 * address (DNS rebinding); every state-changing request must come from the console's own origin and carry its
 * session's token. The API's work (which may read logs) runs on the console's executor, never on an event loop.
 */
@ChannelHandler.Sharable
final class HttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(HttpHandler.class);

    private static final Map<String, String> ASSETS = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/console.js", "console.js",
            "/console.css", "console.css",
            "/favicon.svg", "favicon.svg");

    private static final String SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    private final ConsoleApi api;
    private final ConsoleSessions sessions;
    /** Null when the broker has no SASL listener: then the console needs no login. */
    private final ConsoleLogin login;

    private final HttpSettings settings;
    private final java.util.function.IntSupplier boundPort;
    private final Executor work;
    private final java.util.function.Supplier<byte[]> metrics;

    HttpHandler(
            ConsoleApi api,
            ConsoleLogin login,
            HttpSettings settings,
            java.util.function.IntSupplier boundPort,
            Executor work,
            java.util.function.Supplier<byte[]> metrics) {
        this.api = api;
        this.login = login;
        this.settings = settings;
        this.boundPort = boundPort;
        this.work = work;
        this.metrics = metrics;
        this.sessions = new ConsoleSessions();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!request.decoderResult().isSuccess()) {
            send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "Bad request"), true);
            return;
        }
        String host = request.headers().get(HttpHeaderNames.HOST);
        if (!hostAllowed(host)) {
            send(
                    ctx,
                    request,
                    text(HttpResponseStatus.MISDIRECTED_REQUEST, "This console does not serve that host"),
                    true);
            return;
        }
        QueryStringDecoder uri;
        try {
            uri = new QueryStringDecoder(request.uri(), StandardCharsets.UTF_8, true, 64);
        } catch (IllegalArgumentException e) {
            send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "Bad request target"), false);
            return;
        }
        String path = uri.path();
        HttpMethod method = request.method();
        boolean read = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        if (path.equals("/health")) {
            if (!read) {
                send(ctx, request, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only"), false);
                return;
            }
            send(ctx, request, json(HttpResponseStatus.OK, Map.of("status", "UP")), false);
            return;
        }
        if (path.equals("/metrics")) {
            if (!read) {
                send(ctx, request, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only"), false);
                return;
            }
            // with security on, metrics are behind the login like the rest
            if (login != null && !loggedIn(request)) {
                send(ctx, request, text(HttpResponseStatus.UNAUTHORIZED, "Log in to the console first"), false);
                return;
            }
            runAside(ctx, request, () -> {
                FullHttpResponse r = new DefaultFullHttpResponse(
                        HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(metrics.get()));
                r.headers().set(HttpHeaderNames.CONTENT_TYPE, PrometheusExport.CONTENT_TYPE);
                return r;
            });
            return;
        }
        String asset = ASSETS.get(path);
        if (asset != null) {
            if (!read) {
                send(ctx, request, text(HttpResponseStatus.METHOD_NOT_ALLOWED, "GET only"), false);
                return;
            }
            send(ctx, request, asset(asset), false);
            return;
        }
        if (path.startsWith("/api/")) {
            api(ctx, request, uri, read);
            return;
        }
        send(ctx, request, text(HttpResponseStatus.NOT_FOUND, "Not found"), false);
    }

    private void api(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri, boolean read) {
        ConsoleSessions.Session session = sessions.find(cookie(request, ConsoleSessions.COOKIE));
        String path = uri.path();
        if (path.equals("/api/session") && read) {
            boolean fresh = session == null;
            if (fresh) session = sessions.create();
            Map<String, Object> body = new java.util.LinkedHashMap<>();
            body.put("token", session.token);
            body.put("loginRequired", login != null);
            body.put("user", session.user);
            FullHttpResponse r = json(HttpResponseStatus.OK, body);
            if (fresh) r.headers().add(HttpHeaderNames.SET_COOKIE, sessionCookie(session.id));
            send(ctx, request, r, false);
            return;
        }
        if (!read) {
            // a state change: same origin, a live session, and its token in the header
            if (!sameOrigin(request)) {
                send(ctx, request, text(HttpResponseStatus.FORBIDDEN, "Cross-origin requests are refused"), false);
                return;
            }
            if (session == null
                    || !ConsoleSessions.sameToken(
                            session.token, request.headers().get(ConsoleSessions.TOKEN_HEADER))) {
                send(ctx, request, text(HttpResponseStatus.FORBIDDEN, "Missing or wrong console token"), false);
                return;
            }
        }
        Map<String, List<String>> params = new java.util.HashMap<>(uri.parameters());
        if (!read) {
            String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (!type.toLowerCase(Locale.ROOT).startsWith("application/x-www-form-urlencoded")) {
                send(ctx, request, text(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "Send a form"), false);
                return;
            }
            String body = request.content().toString(StandardCharsets.UTF_8);
            try {
                params.putAll(new QueryStringDecoder(body, StandardCharsets.UTF_8, false, 64).parameters());
            } catch (IllegalArgumentException e) {
                send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "Bad form"), false);
                return;
            }
        }
        ConsoleSessions.Session s = session;
        if (path.equals("/api/login") && !read) {
            runAside(ctx, request, () -> {
                if (login == null) return json(HttpResponseStatus.OK, Map.of("user", "anonymous"));
                String who = login.authenticate(first(params, "user"), first(params, "password"));
                if (who == null) return text(HttpResponseStatus.UNAUTHORIZED, "Wrong user or password");
                s.user = who;
                return json(HttpResponseStatus.OK, Map.of("user", who));
            });
            return;
        }
        if (path.equals("/api/logout") && !read) {
            if (s != null) sessions.remove(s.id);
            send(ctx, request, json(HttpResponseStatus.OK, Map.of("loggedOut", true)), false);
            return;
        }
        if (login != null && (s == null || s.user == null)) {
            send(ctx, request, text(HttpResponseStatus.UNAUTHORIZED, "Log in to the console first"), false);
            return;
        }
        List<String> parts = segments(path.substring("/api/".length()));
        HttpMethod method = request.method();
        runAside(ctx, request, () -> json(HttpResponseStatus.OK, route(method, parts, params)));
    }

    /** The API's routes; unknown ones are 404. */
    private Object route(HttpMethod method, List<String> p, Map<String, List<String>> q) {
        boolean get = method.equals(HttpMethod.GET) || method.equals(HttpMethod.HEAD);
        boolean post = method.equals(HttpMethod.POST);
        int n = p.size();
        if (n == 1 && get) {
            switch (p.get(0)) {
                case "overview" -> {
                    return api.overview();
                }
                case "topics" -> {
                    return api.topics();
                }
                case "groups" -> {
                    return api.groups();
                }
                case "transactions" -> {
                    return api.transactions();
                }
                case "clients" -> {
                    return api.clients();
                }
                case "rates" -> {
                    return api.rates();
                }
                default -> {}
            }
        }
        if (n == 1 && post && p.get(0).equals("topics"))
            return api.createTopic(first(q, "name"), first(q, "partitions"));
        if (n == 2 && p.get(0).equals("topics") && get) return api.topic(p.get(1));
        if (n == 3 && p.get(0).equals("topics") && post && p.get(2).equals("delete")) return api.deleteTopic(p.get(1));
        if (n == 3 && p.get(0).equals("topics") && get && p.get(2).equals("messages"))
            return api.messages(
                    p.get(1), first(q, "partition"), first(q, "offset"), first(q, "timestamp"), first(q, "limit"));
        if (n == 3 && p.get(0).equals("topics") && post && p.get(2).equals("messages"))
            return api.produce(
                    p.get(1), first(q, "partition"), first(q, "key"), first(q, "value"), first(q, "headers"));
        if (n == 2 && p.get(0).equals("groups") && get) return api.group(p.get(1));
        throw new ConsoleApi.Refused(404, "No such API: " + String.join("/", p));
    }

    private interface Answer {
        FullHttpResponse get();
    }

    /** Runs {@code answer} on the console's executor and writes what it returns from the channel's loop. */
    private void runAside(ChannelHandlerContext ctx, FullHttpRequest request, Answer answer) {
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        boolean head = request.method().equals(HttpMethod.HEAD);
        try {
            work.execute(() -> {
                FullHttpResponse r;
                try {
                    r = answer.get();
                } catch (ConsoleApi.Refused e) {
                    r = json(HttpResponseStatus.valueOf(e.status), Map.of("error", e.getMessage()));
                } catch (RuntimeException e) {
                    log.warn("Console request {} failed", ConsoleApi.abbreviate(request.uri()), e);
                    r = json(HttpResponseStatus.INTERNAL_SERVER_ERROR, Map.of("error", "The broker could not answer"));
                }
                FullHttpResponse response = r;
                ctx.executor().execute(() -> write(ctx, response, keepAlive, head, false));
            });
        } catch (RejectedExecutionException e) {
            write(ctx, text(HttpResponseStatus.SERVICE_UNAVAILABLE, "Shutting down"), false, head, true);
        }
    }

    private void send(ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse r, boolean close) {
        write(ctx, r, HttpUtil.isKeepAlive(request), request.method().equals(HttpMethod.HEAD), close);
    }

    private static void write(
            ChannelHandlerContext ctx, FullHttpResponse r, boolean keepAlive, boolean head, boolean close) {
        r.headers().set("X-Content-Type-Options", "nosniff");
        r.headers().set(HttpHeaderNames.CONTENT_SECURITY_POLICY, SECURITY_POLICY);
        r.headers().set("X-Frame-Options", "DENY");
        r.headers().set("Referrer-Policy", "same-origin");
        if (!r.headers().contains(HttpHeaderNames.CACHE_CONTROL))
            r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        HttpUtil.setContentLength(r, r.content().readableBytes());
        if (head) r.content().clear();
        boolean end = close || !keepAlive;
        if (!end) r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        else r.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        var f = ctx.writeAndFlush(r);
        if (end) f.addListener(ChannelFutureListener.CLOSE);
    }

    // ---- checks

    /**
     * The Host header must name this console: an IP literal or localhost (which no DNS answer can point
     * elsewhere), or a name listed in skiff.http.allowed.hosts, with the console's port when a port is given.
     */
    boolean hostAllowed(String host) {
        if (host == null || host.isEmpty() || host.length() > 255) return false;
        String h = host.trim().toLowerCase(Locale.ROOT);
        String name = h;
        String port = null;
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            if (close < 0) return false;
            name = h.substring(1, close);
            String rest = h.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) return false;
                port = rest.substring(1);
            }
            if (!name.matches("[0-9a-f:.]+")) return false;
        } else {
            int colon = h.lastIndexOf(':');
            if (colon >= 0) {
                name = h.substring(0, colon);
                port = h.substring(colon + 1);
            }
        }
        if (port != null && !port.equals(Integer.toString(boundPort.getAsInt()))) return false;
        if (port == null && boundPort.getAsInt() != 80) return false;
        if (name.equals("localhost") || settings.allowedHosts().contains(name)) return true;
        if (name.matches("\\d{1,3}(\\.\\d{1,3}){3}")) return true;
        return h.startsWith("[");
    }

    /** Origin, or else Referer, must be this console's own origin; a request with neither is not from a page. */
    private boolean sameOrigin(FullHttpRequest request) {
        String host = request.headers().get(HttpHeaderNames.HOST);
        String expected = "http://" + host.trim().toLowerCase(Locale.ROOT);
        String origin = request.headers().get(HttpHeaderNames.ORIGIN);
        if (origin != null) return origin.trim().toLowerCase(Locale.ROOT).equals(expected);
        String referer = request.headers().get(HttpHeaderNames.REFERER);
        if (referer == null) return false;
        try {
            URI u = new URI(referer);
            String o = (u.getScheme() + "://" + u.getRawAuthority()).toLowerCase(Locale.ROOT);
            return o.equals(expected);
        } catch (Exception e) {
            return false;
        }
    }

    private boolean loggedIn(FullHttpRequest request) {
        ConsoleSessions.Session s = sessions.find(cookie(request, ConsoleSessions.COOKIE));
        return s != null && s.user != null;
    }

    // ---- helpers

    private static String cookie(FullHttpRequest request, String name) {
        String header = request.headers().get(HttpHeaderNames.COOKIE);
        if (header == null || header.length() > 8192) return null;
        Set<Cookie> cookies = ServerCookieDecoder.STRICT.decode(header);
        for (Cookie c : cookies) if (c.name().equals(name)) return c.value();
        return null;
    }

    private static String sessionCookie(String id) {
        DefaultCookie c = new DefaultCookie(ConsoleSessions.COOKIE, id);
        c.setHttpOnly(true);
        c.setPath("/");
        c.setSameSite(CookieHeaderNames.SameSite.Strict);
        return ServerCookieEncoder.STRICT.encode(c);
    }

    private static String first(Map<String, List<String>> params, String name) {
        List<String> v = params.get(name);
        return v == null || v.isEmpty() ? null : v.get(0);
    }

    /** Path segments, each percent-decoded; empty ones dropped. */
    private static List<String> segments(String rest) {
        List<String> out = new java.util.ArrayList<>();
        for (String s : rest.split("/")) if (!s.isEmpty()) out.add(QueryStringDecoder.decodeComponent(s));
        return out;
    }

    static FullHttpResponse json(HttpResponseStatus status, Object body) {
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(Json.write(body), StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        return r;
    }

    static FullHttpResponse text(HttpResponseStatus status, String body) {
        if (status.code() >= 400) return json(status, Map.of("error", body));
        FullHttpResponse r = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return r;
    }

    private static final Map<String, byte[]> ASSET_BYTES = new java.util.concurrent.ConcurrentHashMap<>();

    private static FullHttpResponse asset(String name) {
        byte[] bytes = ASSET_BYTES.computeIfAbsent(name, n -> {
            try (var in = HttpHandler.class.getResourceAsStream("console/" + n)) {
                return in == null ? new byte[0] : in.readAllBytes();
            } catch (java.io.IOException e) {
                return new byte[0];
            }
        });
        FullHttpResponse r =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(bytes));
        String type = name.endsWith(".html")
                ? "text/html; charset=utf-8"
                : name.endsWith(".js")
                        ? "text/javascript; charset=utf-8"
                        : name.endsWith(".css") ? "text/css; charset=utf-8" : "image/svg+xml";
        r.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-cache");
        return r;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Console connection failed: {}", cause.toString());
        ctx.close();
    }
}
