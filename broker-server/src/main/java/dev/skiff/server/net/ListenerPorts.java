package dev.skiff.server.net;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;

/**
 * Binds listeners. Port 0 ("any free port") is looked for below the kernel's ephemeral range first (Linux's
 * {@code net.ipv4.ip_local_port_range}): the kernel hands ports of that range to outgoing connections, so a
 * broker restarted on the port it had (an embedded broker's restart, a cluster's killed broker, and every
 * broker of a cluster sharing broker 0's port on 127.0.0.2 and up) could find it held by a connection made
 * meanwhile, even by a client's connection to itself while nobody listened. Ports below the range are only
 * ever taken by an explicit bind. Where the range is unknown or leaves no room, the kernel picks.
 */
public final class ListenerPorts {
    /** Port 0 looks at most this far below the ephemeral range. */
    public static final int WINDOW = 16_384;

    /** Taken ports passed over before the kernel is left to pick. */
    static final int TRIES = 32;

    private static final int LOWEST = 1024;
    private static final Path RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");

    private static volatile int ephemeralLow = -2; // -2: not read yet; -1: unknown

    private ListenerPorts() {}

    /** Something that listens on the port it is given, binding its own socket. */
    @FunctionalInterface
    public interface Listen<T> {
        T on(int port) throws IOException;
    }

    /** Binds {@code host:port} (SO_REUSEADDR, as Kafka's acceptor); port 0 as the class says. */
    public static ServerSocketChannel bind(String host, int port, int backlog) throws IOException {
        return listen(port, p -> bindExactly(host, p, backlog));
    }

    /** Has {@code listen} listen on {@code port}; for port 0 on a candidate first, passing over taken ones. */
    public static <T> T listen(int port, Listen<T> listen) throws IOException {
        return listen(port, ListenerPorts::candidate, listen);
    }

    /** As {@link #listen(int, Listen)} with port 0's candidates from {@code candidates} (0: none left). */
    static <T> T listen(int port, IntSupplier candidates, Listen<T> listen) throws IOException {
        if (port == 0) {
            for (int i = 0; i < TRIES; i++) {
                int candidate = candidates.getAsInt();
                if (candidate == 0) break;
                try {
                    return listen.on(candidate);
                } catch (BindException taken) {
                    // another listener has it: try another
                }
            }
        }
        return listen.on(port);
    }

    static ServerSocketChannel bindExactly(String host, int port, int backlog) throws IOException {
        ServerSocketChannel ch = ServerSocketChannel.open();
        try {
            ch.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            ch.bind(new InetSocketAddress(host, port), backlog);
            return ch;
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /** The first port of the kernel's ephemeral range, or -1 where it is unknown. */
    public static int ephemeralLow() {
        int low = ephemeralLow;
        if (low == -2) ephemeralLow = low = readEphemeralLow();
        return low;
    }

    private static int readEphemeralLow() {
        try {
            // read as lines: Files.readString trusts the size procfs reports and returns a part
            String[] words = Files.readAllLines(RANGE).get(0).trim().split("\\s+");
            return Integer.parseInt(words[0]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A random port below the ephemeral range, or 0 where there is no room for one. */
    private static int candidate() {
        int high = ephemeralLow();
        int low = Math.max(LOWEST, high - WINDOW);
        if (high - low < 1024) return 0;
        return ThreadLocalRandom.current().nextInt(low, high);
    }
}
