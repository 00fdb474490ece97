package dev.skiff.it.console;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/** HTTP/1.1 by hand over a socket, for requests no well-behaved client would send. */
final class RawHttp {

    private RawHttp() {}

    /** Sends {@code request} as is and returns what came back until the server closed or went quiet. */
    static String exchange(String consoleUrl, byte[] request) throws IOException {
        URI u = URI.create(consoleUrl);
        try (Socket s = new Socket(u.getHost(), u.getPort())) {
            s.setSoTimeout(2000);
            OutputStream out = s.getOutputStream();
            try {
                out.write(request);
                out.flush();
            } catch (IOException e) {
                // the server may close before taking all of an oversized request: read what it said
            }
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            try {
                int n;
                while ((n = in.read(buf)) > 0) {
                    got.write(buf, 0, n);
                    if (got.size() > 1 << 20) break;
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // quiet or reset: what arrived is the answer
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    static String exchange(String consoleUrl, String request) throws IOException {
        return exchange(consoleUrl, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /** The status code of the first response in {@code raw}, or -1 when there is none. */
    static int status(String raw) {
        if (!raw.startsWith("HTTP/1.1 ")) return -1;
        return Integer.parseInt(raw.substring(9, 12));
    }

    static String hostHeader(String consoleUrl) {
        URI u = URI.create(consoleUrl);
        return u.getHost() + ":" + u.getPort();
    }
}
